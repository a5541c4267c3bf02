using System.Net;
using System.Net.Sockets;

namespace Nono.Build.Sdk.Tests;

/// <summary>The properties that turn the sandbox off or decide what happens where it cannot run.</summary>
public sealed class SandboxSwitchTests(E2EEnvironment env)
{
    /// <summary>Also the control for the denial tests: the very same commands succeed without the sandbox.</summary>
    [Fact]
    public void SandboxEnabledFalse_RunsStockExec()
    {
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        var tcpPort = ((IPEndPoint)tcp.LocalEndpoint).Port;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        var project = new TestProject(env, "disabled")
            .Property("SandboxEnabled", "false")
            .Target($$"""
                <Target Name="Unsandboxed">
                  <Exec Command="cat {{env.SecretFile}}" />
                  <Exec Command="touch written-by-step.txt" />
                  <Exec Command="bash -c 'echo probe > /dev/tcp/127.0.0.1/{{tcpPort}}'" />
                  <Exec Command="bash -c 'echo probe > /dev/udp/127.0.0.1/{{udpPort}}'" />
                  <Exec Command="echo token=${MY_API_TOKEN:-unset}" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild(new Dictionary<string, string?> { ["MY_API_TOKEN"] = "visible-token" }, "-t:Unsandboxed");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(env.SecretContent, result.Output);
        Assert.True(File.Exists(project.Combine("written-by-step.txt")));
        Assert.True(tcp.Pending(), "no TCP connection arrived");
        Assert.True(udp.Client.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead), "no UDP datagram arrived");
        Assert.Contains("token=visible-token", result.Output);
        Assert.DoesNotContain("sandbox: ", result.Output);
        Assert.DoesNotContain("NONO", result.Output);
    }

    /// <summary>A mistyped switch is an error naming it, never a sandbox silently switched off.</summary>
    [Theory]
    [InlineData("SandboxEnabled", "ture", "error NONO0001: SandboxEnabled is 'ture'; use true or false.")]
    [InlineData("SandboxUnsupportedPlatform", "Sometimes", "error NONO0001: SandboxUnsupportedPlatform is 'Sometimes'; use one of: Error, Warn, Ignore.")]
    [InlineData("SandboxDiagnostics", "yes please", "error NONO0001: SandboxDiagnostics is 'yes please'; use true or false.")]
    [InlineData("SandboxMode", "Lenient", "error NONO0001: SandboxMode is 'Lenient'; use one of: Enforce, Audit.")]
    [InlineData("SandboxStandardInput", "Terminal", "error NONO0001: SandboxStandardInput is 'Terminal'; use one of: Null, Inherit.")]
    public void AMistypedSwitch_IsAnErrorNamingIt_AndNoStepRuns(string property, string value, string error)
    {
        var project = new TestProject(env, "mistyped-" + property.ToLowerInvariant())
            .Property(property, value)
            .Target("""
                <Target Name="Step">
                  <Exec Command="echo the-step-ran" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Step");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(error, result.Output);
        Assert.DoesNotContain("the-step-ran", result.Output);
    }
}
