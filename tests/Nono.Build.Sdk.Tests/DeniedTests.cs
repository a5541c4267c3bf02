using System.Net;
using System.Net.Sockets;

namespace Nono.Build.Sdk.Tests;

/// <summary>What a build step is not given: the kernel refuses it, the build fails, and nothing outside changes.</summary>
public sealed class DeniedTests(E2EEnvironment env)
{
    [Fact]
    public void SecretsSourceTreePackageFolderAndNetwork_AreDenied_TheBuildFails_NothingChanges()
    {
        Landlock.Require();
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        var tcpPort = ((IPEndPoint)tcp.LocalEndpoint).Port;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        var project = new TestProject(env, "denied");
        var sourceFile = project.Combine("written-by-step.txt");
        var packageFile = Path.Combine(env.Packages, "written-by-step.txt");
        // Every step runs (ErrorAndContinue) so one build proves each denial on its own.
        var readSecret = $"cat {env.SecretFile}";
        var writeSource = $"touch {sourceFile}";
        var writePackages = $"touch {packageFile}";
        var connectTcp = $"bash -c 'echo probe > /dev/tcp/127.0.0.1/{tcpPort}'";
        var sendUdp = $"bash -c 'echo probe > /dev/udp/127.0.0.1/{udpPort}'";
        project.Target($$"""
                <Target Name="E2EDenied" AfterTargets="Build">
                  <Exec Command="{{readSecret}}" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="{{writeSource}}" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="{{writePackages}}" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="{{connectTcp}}" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="{{sendUdp}}" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="echo token=${MY_API_TOKEN:-unset}" />
                </Target>
                """)
            .Write();
        var token = "s3cr3t-" + Guid.NewGuid().ToString("N");

        var result = project.Build(new Dictionary<string, string?> { ["MY_API_TOKEN"] = token }, "-v:d"); // the scrubbed names: detailed

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Build FAILED.", result.Output);
        foreach (var command in new[] { readSecret, writeSource, writePackages, connectTcp, sendUdp })
            Assert.Contains($"error MSB3073: The command \"{command}\" exited with code", result.Output);
        Assert.Contains($"cat: {env.SecretFile}: Permission denied", result.Output);
        Assert.Contains($"touch: cannot touch '{sourceFile}': Permission denied", result.Output);
        Assert.Contains($"touch: cannot touch '{packageFile}': Permission denied", result.Output);
        Assert.Contains("bash: connect: Permission denied", result.Output);
        Assert.Contains("bash: socket: Permission denied", result.Output);
        Assert.Contains("NONO3001", result.Output);

        Assert.DoesNotContain(env.SecretContent, result.Output);
        Assert.False(File.Exists(sourceFile), "the step wrote into the source tree");
        Assert.False(File.Exists(packageFile), "the step wrote into the NuGet package folder");
        Assert.False(tcp.Pending(), "the step connected to a loopback TCP server");
        Thread.Sleep(100);
        Assert.Equal(0, udp.Available);

        Assert.DoesNotContain(token, result.Output);
        Assert.Contains("token=unset", result.Output);
        Assert.Matches(@"Sandbox: steps do not get [^\n]*\bMY_API_TOKEN\b", result.Output);
    }

    [Fact]
    public void SecretVariable_ListedInSandboxEnvironment_IsPassed()
    {
        Landlock.Require();
        var project = new TestProject(env, "passthrough")
            .Item("""<SandboxEnvironment Include="MY_API_TOKEN" />""")
            .Target("""
                <Target Name="ShowToken">
                  <Exec Command="echo token=${MY_API_TOKEN:-unset}" />
                </Target>
                """)
            .Write();
        var token = "s3cr3t-" + Guid.NewGuid().ToString("N");

        var result = project.MSBuild(new Dictionary<string, string?> { ["MY_API_TOKEN"] = token }, "-t:ShowToken");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(" scrubbed (" + project.ProjectFile + ")", result.Output);
        Assert.Contains($"token={token}", result.Output);
        Assert.DoesNotMatch(@"Sandbox: (steps do not get|not passing) [^\n]*\bMY_API_TOKEN\b", result.Output);
    }
}
