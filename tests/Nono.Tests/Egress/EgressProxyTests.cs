using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Nono.Egress;
using Nono.Testing;

namespace Nono.Tests.Egress;

/// <summary>
/// The egress proxy over real sockets on loopback: a small HTTP server stands for the registries,
/// names resolve through the test-only resolver (internal to the library), and curl and
/// HttpClient are the clients.
/// </summary>
public sealed class EgressProxyTests : IDisposable
{
    private readonly LoopbackHttpServer server = new();
    private readonly EgressProxy proxy;

    public EgressProxyTests()
    {
        proxy = new EgressProxy((host, _) => Task.FromResult<IPAddress[]>(host switch
        {
            "npm.test" or "api.pkgs.test" or "pkgs.test" => [IPAddress.Loopback],
            "metadata.test" => [IPAddress.Parse("169.254.169.254")],
            "mixed.test" => [IPAddress.Parse("169.254.169.254"), IPAddress.Loopback],
            _ => throw new SocketException((int)SocketError.HostNotFound),
        }));
    }

    public void Dispose()
    {
        proxy.Dispose();
        server.Dispose();
    }

    private EgressGrant Grant(params string[] items) => proxy.Grant(items.Select(HostPattern.Parse));

    private static (int Exit, string Out) Curl(EgressGrant grant, params string[] args) => Run(grant, "curl", ["-sS", "--max-time", "20", .. args]);

    private static (int Exit, string Out) Run(EgressGrant grant, string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["HOME"] = Path.GetTempPath();
        foreach (var (k, v) in grant.Environment)
            psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Result + error);
    }

    [Fact]
    public void AListedHost_IsReachedThroughATunnel_AndByPlainHttp_WithTheCredentialInTheProxyUrl()
    {
        using var grant = Grant($"npm.test:{server.Port}");

        var tunnel = Curl(grant, "--proxytunnel", $"http://npm.test:{server.Port}/tunnel");
        var plain = Curl(grant, $"http://NPM.test.:{server.Port}/plain?x=1");

        Assert.Equal((0, "hello /tunnel"), tunnel);
        Assert.Equal((0, "hello /plain?x=1"), plain);
        var forwarded = server.Heads.Single(h => h.Contains("/plain"));
        Assert.StartsWith("GET /plain?x=1 HTTP/1.1\r\n", forwarded);
        Assert.DoesNotContain("Proxy-Authorization", forwarded, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Connection: close", forwarded);
        Assert.Empty(grant.Events);
    }

    [Theory]
    [InlineData("other.test", "not among this step's SandboxNetwork items")]
    [InlineData("npm.test:1", "not among this step's SandboxNetwork items")]
    public void AnUnlistedHostOrPort_Is403_NamingTheItemToAdd_AndRecorded(string target, string reason)
    {
        using var grant = Grant($"npm.test:{server.Port}");
        var (host, port) = target.Contains(':') ? (target.Split(':')[0], int.Parse(target.Split(':')[1])) : (target, server.Port);

        var (exit, output) = Curl(grant, "-i", $"http://{host}:{port}/x");
        var tunnel = Curl(grant, "--proxytunnel", $"http://{host}:{port}/x");

        Assert.Equal(0, exit);
        Assert.Contains("HTTP/1.1 403", output);
        Assert.Contains(reason, output);
        Assert.Contains($"<SandboxNetwork Include=\"{host}:{port}\" />", output);
        Assert.NotEqual(0, tunnel.Exit);
        Assert.Contains("403", tunnel.Out);
        Assert.Equal(new EgressEvent(host, port, EgressOutcome.NotListed, false, ""), Assert.Single(grant.Events));
        Assert.DoesNotContain(server.Heads, h => h.Contains("/x"));
    }

    [Fact]
    public void WithoutTheCredential_OrWithARevokedOne_TheProxyServesNothing()
    {
        var grant = Grant($"npm.test:{server.Port}");
        var url = $"http://npm.test:{server.Port}/x";

        var noCredential = RawRequest($"GET {url} HTTP/1.1\r\nHost: npm.test:{server.Port}\r\n\r\n");
        var wrong = RawRequest($"GET {url} HTTP/1.1\r\nHost: npm.test:{server.Port}\r\nProxy-Authorization: Basic {Convert.ToBase64String("nono:guess"u8)}\r\n\r\n");
        var right = $"GET {url} HTTP/1.1\r\nHost: npm.test:{server.Port}\r\nProxy-Authorization: Basic {Convert.ToBase64String(Encoding.ASCII.GetBytes(new Uri(grant.ProxyUrl).UserInfo))}\r\n\r\n";
        var before = RawRequest(right);
        grant.Dispose();
        var after = RawRequest(right);

        Assert.StartsWith("HTTP/1.1 407", noCredential);
        Assert.Contains("Proxy-Authenticate: Basic", noCredential);
        Assert.StartsWith("HTTP/1.1 407", wrong);
        Assert.StartsWith("HTTP/1.1 200", before);
        Assert.StartsWith("HTTP/1.1 407", after);
    }

    [Fact]
    public async Task HttpClient_AuthenticatesWhenChallenged_AndReachesAListedHost()
    {
        using var grant = Grant($"npm.test:{server.Port}");
        var uri = new Uri(grant.ProxyUrl);
        var user = uri.UserInfo.Split(':');
        using var client = new HttpClient(new HttpClientHandler
        {
            Proxy = new WebProxy(new Uri($"http://127.0.0.1:{uri.Port}")) { Credentials = new NetworkCredential(user[0], user[1]) },
        });

        var body = await client.GetStringAsync($"http://npm.test:{server.Port}/dotnet", TestContext.Current.CancellationToken);
        var refused = await client.GetAsync($"http://other.test:{server.Port}/dotnet", TestContext.Current.CancellationToken);

        Assert.Equal("hello /dotnet", body);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    /// <summary>
    /// Each client takes the credential from the proxy address in the environment (HTTP_PROXY or
    /// http_proxy): the server sees the request only if the proxy accepted it.
    /// </summary>
    [Theory]
    [InlineData("git", "/repo.git/info/refs?service=git-upload-pack", "-c", "credential.helper=", "ls-remote", "http://npm.test:PORT/repo.git")]
    [InlineData("npm", "/is-number", "view", "is-number", "--registry", "http://npm.test:PORT/", "--cache", "CACHE", "--fetch-retries", "0")]
    [InlineData("pip3", "/simple/nothing-here/", "download", "--no-deps", "--no-cache-dir", "--retries", "0", "--trusted-host", "npm.test", "--index-url", "http://npm.test:PORT/simple/", "-d", "CACHE", "nothing-here")]
    public void Git_Npm_AndPip_TakeTheCredentialFromTheProxyAddress(string program, string path, params string[] args)
    {
        using var grant = Grant($"npm.test:{server.Port}");
        var cache = Directory.CreateTempSubdirectory("nono-egress-client-").FullName;
        try
        {
            var (_, output) = Run(grant, program, args.Select(a => a.Replace("PORT", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace("CACHE", cache)).ToArray());

            Assert.True(server.Heads.Any(h => h.StartsWith($"GET {path} ", StringComparison.Ordinal)), $"{program} did not reach the server through the proxy:\n{output}\n{string.Join("\n", server.Heads)}");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void ADomainItem_NeverReachesLoopback_ButAnItemNamingTheHostDoes()
    {
        using var domain = Grant($".pkgs.test:{server.Port}");
        using var exact = Grant($"api.pkgs.test:{server.Port}");

        var refused = Curl(domain, "-i", $"http://api.pkgs.test:{server.Port}/d");
        var allowed = Curl(exact, $"http://api.pkgs.test:{server.Port}/e");

        Assert.Contains("HTTP/1.1 403", refused.Out);
        Assert.Contains("loopback or private addresses", refused.Out);
        Assert.Equal(EgressOutcome.AddressRefused, Assert.Single(domain.Events).Outcome);
        Assert.Equal((0, "hello /e"), allowed);
    }

    [Fact]
    public void CloudMetadata_IsNeverReached_EvenListedOrInAudit_AndAMixedAnswerUsesOnlyTheCheckedAddress()
    {
        using var listed = Grant("metadata.test:80", "169.254.169.254:80", $"mixed.test:{server.Port}");
        using var audit = proxy.Grant([], audit: true);

        var byName = Curl(listed, "-i", "http://metadata.test/latest/meta-data/");
        var byAddress = Curl(listed, "-i", "http://169.254.169.254/latest/meta-data/");
        var inAudit = Curl(audit, "-i", "http://metadata.test/latest/meta-data/");
        var mixed = Curl(listed, $"http://mixed.test:{server.Port}/m");

        Assert.Contains("HTTP/1.1 403", byName.Out);
        Assert.Contains("HTTP/1.1 403", byAddress.Out);
        Assert.Contains("HTTP/1.1 403", inAudit.Out);
        Assert.Equal((0, "hello /m"), mixed);
    }

    [Fact]
    public void Audit_AllowsAnyHost_AndRecordsEachOneContacted()
    {
        using var audit = proxy.Grant([HostPattern.Parse($"npm.test:{server.Port}")], audit: true);

        var a = Curl(audit, $"http://npm.test:{server.Port}/a");
        var b = Curl(audit, "--proxytunnel", $"http://pkgs.test:{server.Port}/b");

        Assert.Equal((0, "hello /a"), a);
        Assert.Equal((0, "hello /b"), b);
        Assert.Equal(
            [new EgressEvent("npm.test", server.Port, EgressOutcome.Contacted, true, ""), new EgressEvent("pkgs.test", server.Port, EgressOutcome.Contacted, false, "")],
            audit.Events);
    }

    [Fact]
    public async Task PlainHttp_CarriesOneRequest_AndNothingTheClientSendsAfterItReachesTheServer()
    {
        // A server that keeps the connection open, whatever the proxy asks.
        using var keepAlive = new TcpListener(IPAddress.Loopback, 0);
        keepAlive.Start();
        var port = ((IPEndPoint)keepAlive.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            using var connection = await keepAlive.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var received = new StringBuilder();
            var buffer = new byte[4096];
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer, quiet.Token)) > 0)
                {
                    if (received.Length == 0)
                        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\nok"u8.ToArray());
                    received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
            }
            catch (OperationCanceledException)
            {
            }
            return received.ToString();
        });
        using var grant = Grant($"127.0.0.1:{port}");
        var credential = Convert.ToBase64String(Encoding.ASCII.GetBytes(new Uri(grant.Environment["HTTP_PROXY"]).UserInfo));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, proxy.Port);
        var authorization = $"Proxy-Authorization: Basic {credential}\r\n";
        socket.Send(Encoding.ASCII.GetBytes($"POST http://127.0.0.1:{port}/first HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{authorization}Content-Length: 4\r\n\r\nbody"
            + $"GET http://unlisted.test/second HTTP/1.1\r\nHost: unlisted.test\r\n{authorization}Authorization: Bearer not-for-this-server\r\n\r\n"));

        var response = Encoding.ASCII.GetString(await ReadToEndAsync(socket));
        var atServer = await serving;

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.DoesNotContain("keep-alive", response, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\nok", response);
        Assert.Contains("POST /first HTTP/1.1", atServer);
        Assert.EndsWith("\r\n\r\nbody", atServer);
        Assert.DoesNotContain("second", atServer);
        Assert.DoesNotContain("Proxy-Authorization", atServer, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AChunkedPlainHttpBody_Is411_NeverForwarded()
    {
        using var grant = Grant($"npm.test:{server.Port}");

        var (_, output) = Curl(grant, "-i", "-H", "Transfer-Encoding: chunked", "--data-binary", "x", $"http://npm.test:{server.Port}/upload");

        Assert.Contains("HTTP/1.1 411", output);
        Assert.DoesNotContain(server.Heads, h => h.Contains("/upload"));
    }

    [Fact]
    public void AnItemNamingTheHost_IsMatchedBeforeADomainItem()
    {
        using var grant = Grant(".pkgs.test", "api.pkgs.test");

        Assert.True(grant.Match("api.pkgs.test", 443)!.IsExplicit);
        Assert.False(grant.Match("www.pkgs.test", 443)!.IsExplicit);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var all = new MemoryStream();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(all, limit.Token);
        return all.ToArray();
    }

    [Fact]
    public void TheProxyNeverConnectsToItself()
    {
        using var grant = Grant($"127.0.0.1:{proxy.Port}");

        var (_, output) = Curl(grant, "-i", $"http://127.0.0.1:{proxy.Port}/");

        Assert.Contains("HTTP/1.1 403", output);
    }

    [Fact]
    public void AMalformedRequest_Is400_WithTheReason()
    {
        var response = RawRequest("CONNECT 2130706433:443 HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("not a host name", response);
    }

    private string RawRequest(string head)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, proxy.Port);
        socket.Send(Encoding.ASCII.GetBytes(head));
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return reader.ReadToEnd();
    }
}
