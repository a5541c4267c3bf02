using System.Net;
using System.Net.Sockets;
using System.Text;
using Nono.Testing;

namespace Nono.Build.Sdk.Tests;

/// <summary>
/// SandboxNetwork host items through the build's egress proxy, end to end: steps run curl, npm and
/// dotnet restore against small HTTP servers on loopback and against the real registries.
/// </summary>
public sealed class EgressProxyTests(E2EEnvironment env) : IDisposable
{
    private readonly LoopbackHttpServer listed = new(IPAddress.Loopback);
    private readonly LoopbackHttpServer other = new(IPAddress.Loopback);

    public void Dispose()
    {
        listed.Dispose();
        other.Dispose();
    }

    [Fact]
    public void AListedHost_IsReached_AnotherPortOrHostIsRefusedAndNamed_AndADirectConnectionIsRefusedByTheKernel()
    {
        Landlock.Require();
        var project = new TestProject(env, "egress-listed")
            .Item($"""<SandboxNetwork Include="localhost:{listed.Port}" />""")
            .Target($$"""
                <Target Name="Steps">
                  <Exec Command="curl -sS --max-time 20 http://localhost:{{listed.Port}}/listed" />
                  <Exec Command="curl -sS -f --max-time 20 http://localhost:{{other.Port}}/other-port" ContinueOnError="true" />
                  <Exec Command="curl -sS -f --max-time 20 https://unlisted.example/" ContinueOnError="true" />
                  <Exec Command="curl -sS --max-time 20 --noproxy '*' http://localhost:{{listed.Port}}/direct; echo direct-exit=$?" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Steps");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("hello /listed", result.Output);
        Assert.Contains($"NONO2005: the egress proxy refused the step localhost:{other.Port}", result.Output);
        Assert.Contains($"<SandboxNetwork Include=\"localhost:{other.Port}\" />", result.Output);
        Assert.Contains("NONO2005: the egress proxy refused the step unlisted.example:443", result.Output);
        Assert.Contains("<SandboxNetwork Include=\"unlisted.example\" />", result.Output);
        Assert.Matches(@"direct-exit=7\b", result.Output); // curl: could not connect (Landlock: EACCES)
        Assert.Equal(["/listed"], listed.Paths);
        Assert.Empty(other.Paths);
    }

    [Fact]
    public async Task AProcessOutsideTheBuild_CannotUseTheProxy_AndNothingOfItOutlivesTheBuild()
    {
        Landlock.Require();
        var project = new TestProject(env, "egress-outside")
            .Item($"""<SandboxNetwork Include="localhost:{listed.Port}" />""")
            .Item("""<SandboxWrite Include="handoff" />""")
            .Target("""
                <Target Name="Steps">
                  <Exec Command="echo &quot;$HTTPS_PROXY&quot; | sed 's/.*@//' &gt; handoff/proxy; for i in %24(seq 300); do [ -f handoff/done ] &amp;&amp; break; sleep 0.1; done" />
                </Target>
                """)
            .Write();
        var handoff = project.Combine("handoff");

        var build = Task.Run(() => project.MSBuild("-t:Steps"), TestContext.Current.CancellationToken);
        var proxyFile = Path.Combine(handoff, "proxy");
        for (var i = 0; i < 300 && !(File.Exists(proxyFile) && File.ReadAllText(proxyFile).Contains(':')); i++)
            await Task.Delay(100, TestContext.Current.CancellationToken);
        var port = int.Parse(File.ReadAllText(proxyFile).Trim().Split(':')[1].TrimEnd('/'));
        var withoutCredential = Request(port, $"GET http://localhost:{listed.Port}/outside HTTP/1.1\r\nHost: localhost:{listed.Port}\r\n\r\n");
        var guessed = Request(port, $"CONNECT localhost:{listed.Port} HTTP/1.1\r\nProxy-Authorization: Basic {Convert.ToBase64String("nono:0123456789abcdef0123456789abcdef"u8)}\r\n\r\n");
        File.WriteAllText(Path.Combine(handoff, "done"), "");
        var result = await build;

        Assert.True(result.Succeeded, result.ToString());
        Assert.StartsWith("HTTP/1.1 407", withoutCredential);
        Assert.StartsWith("HTTP/1.1 407", guessed);
        Assert.Empty(listed.Paths);
        var e = Assert.Throws<SocketException>(() => Request(port, "CONNECT localhost:1 HTTP/1.1\r\n\r\n"));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }

    [Fact]
    public void Audit_SuggestsTheHostsTheStepsReached_AndEnforcedWithTheSuggestions_TheBuildPasses()
    {
        Landlock.Require();
        using var server = new LoopbackHttpServer(IPAddress.Parse("127.0.0.2"));
        var project = new TestProject(env, "egress-audit")
            .Target($$"""
                <Import Project="obj/sandbox.suggested.props" Condition="Exists('obj/sandbox.suggested.props')" />
                <Target Name="Steps">
                  <Exec Command="curl -sS -f --max-time 20 http://127.0.0.2:{{server.Port}}/audited" />
                </Target>
                """)
            .Write();

        var before = project.MSBuild("-t:Steps");
        var audit = project.MSBuild("-t:Steps", "-p:SandboxMode=Audit");
        var suggested = File.ReadAllText(project.Combine("obj", "sandbox.suggested.props"));
        var enforced = project.MSBuild("-t:Steps");

        Assert.NotEqual(0, before.ExitCode); // no host item, no proxy: the kernel refuses the connection
        Assert.Contains("Failed to connect", before.Output);
        Assert.True(audit.Succeeded, audit.ToString());
        Assert.Contains($"warning NONO2002: SandboxMode=Audit: the step reached 127.0.0.2:{server.Port} through the egress proxy", audit.Output);
        Assert.Contains($"<SandboxNetwork Include=\"127.0.0.2:{server.Port}\" />", suggested);
        Assert.True(enforced.Succeeded, enforced.ToString());
        Assert.DoesNotContain("NONO2005", enforced.Output);
        Assert.Equal(["/audited", "/audited"], server.Paths); // audited and enforced, not the first build
    }

    /// <summary>The real registries (reachable from the test machines; nothing else on the internet is), by name only: npm and NuGet each get their one host.</summary>
    [Fact]
    public void NpmInstall_AndANuGetRestore_ReachTheRealRegistries_ThroughTheProxy()
    {
        Landlock.Require();
        var project = new TestProject(env, "egress-registries")
            .Item("""<SandboxNetwork Include="registry.npmjs.org" />""")
            .Item("""<SandboxNetwork Include="api.nuget.org" />""")
            .Item("""<SandboxWrite Include="web" />""")
            .Item("""<SandboxWrite Include="inner" />""")
            .File("web/package.json", """{ "name": "web", "version": "1.0.0", "private": true, "dependencies": { "is-number": "7.0.0" } }""")
            .File("inner/inner.csproj", """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                  <ItemGroup><PackageReference Include="Newtonsoft.Json" Version="13.0.3" /></ItemGroup>
                </Project>
                """)
            .File("inner/nuget.config", """
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><clear /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources>
                </configuration>
                """)
            .Target("""
                <Target Name="Steps">
                  <Exec Command="npm install --no-audit --no-fund --cache &quot;$TMPDIR/npm-cache&quot;" WorkingDirectory="web" />
                  <Exec Command="node -e &quot;console.log('is-number:', require('is-number')(5))&quot;" WorkingDirectory="web" />
                  <Exec Command="dotnet restore inner.csproj --packages &quot;$(MSBuildProjectDirectory)/inner/packages&quot;" WorkingDirectory="inner"
                        EnvironmentVariables="DOTNET_CLI_HOME=$(MSBuildProjectDirectory)/inner/home;NUGET_HTTP_CACHE_PATH=$(MSBuildProjectDirectory)/inner/http-cache;DOTNET_NOLOGO=1;DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1;DOTNET_CLI_TELEMETRY_OPTOUT=1;MSBUILDDISABLENODEREUSE=1" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Steps");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("is-number: true", result.Output);
        Assert.True(File.Exists(project.Combine("inner", "packages", "newtonsoft.json", "13.0.3", "newtonsoft.json.13.0.3.nupkg")), result.ToString());
        Assert.DoesNotContain("NONO2005", result.Output);
    }

    private static string Request(int port, string head)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect(IPAddress.Loopback, port);
        socket.Send(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(new NetworkStream(socket), Encoding.ASCII);
        return reader.ReadToEnd();
    }
}
