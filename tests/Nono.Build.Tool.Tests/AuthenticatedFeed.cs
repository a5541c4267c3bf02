using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nono.Build.Tool.Tests;

/// <summary>
/// A NuGet v3 feed on a loopback port that answers only requests with its Basic credential
/// (401 otherwise), serving one package that ships build/&lt;Id&gt;.targets: the service index,
/// the package's version list and the package itself (PackageBaseAddress, which restore uses).
/// </summary>
internal sealed class AuthenticatedFeed : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly string authorization;
    private readonly string id;
    private readonly byte[] package;
    private int downloads;

    public AuthenticatedFeed(string user, string password, string id, string targets)
    {
        authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        this.id = id.ToLowerInvariant();
        package = Package(id, targets);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(() => Serve(client));
            }
        });
    }

    public string IndexUrl => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/v3/index.json";

    /// <summary>How many times the package was sent, to a request with the credential.</summary>
    public int Downloads => Volatile.Read(ref downloads);

    private void Serve(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var head = ReadHead(stream);
            if (head is null)
                return;
            var lines = head.Split("\r\n");
            var path = lines[0].Split(' ')[1];
            if (!lines.Any(l => l.Equals("Authorization: " + authorization, StringComparison.Ordinal)))
            {
                Respond(stream, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"feed\"\r\n", []);
                return;
            }
            var origin = IndexUrl[..IndexUrl.IndexOf("/v3/", StringComparison.Ordinal)];
            byte[]? body = path switch
            {
                "/v3/index.json" => Encoding.UTF8.GetBytes($$"""{"version":"3.0.0","resources":[{"@id":"{{origin}}/flat/","@type":"PackageBaseAddress/3.0.0"}]}"""),
                _ when path == $"/flat/{id}/index.json" => Encoding.UTF8.GetBytes("""{"versions":["1.0.0"]}"""),
                _ when path == $"/flat/{id}/1.0.0/{id}.1.0.0.nupkg" => package,
                _ => null,
            };
            if (body == package)
                Interlocked.Increment(ref downloads);
            Respond(stream, body is null ? "404 Not Found" : "200 OK", "", body ?? []);
        }
        catch (IOException)
        {
        }
    }

    private static string? ReadHead(NetworkStream stream)
    {
        var buffer = new byte[16384];
        var filled = 0;
        int end;
        while ((end = Encoding.ASCII.GetString(buffer, 0, filled).IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
        {
            var n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
                return null;
            filled += n;
        }
        return Encoding.ASCII.GetString(buffer, 0, end);
    }

    private static void Respond(NetworkStream stream, string status, string headers, byte[] body)
    {
        stream.Write(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\n{headers}Content-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        stream.Write(body);
    }

    private static byte[] Package(string id, string targets)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create))
        {
            void Add(string name, string content)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(content);
            }
            Add($"{id}.nuspec", $"""
                <?xml version="1.0"?>
                <package><metadata><id>{id}</id><version>1.0.0</version><authors>e2e</authors><description>Probe package on an authenticated feed.</description></metadata></package>
                """);
            Add($"build/{id}.targets", targets);
        }
        return buffer.ToArray();
    }

    public void Dispose() => listener.Stop();
}
