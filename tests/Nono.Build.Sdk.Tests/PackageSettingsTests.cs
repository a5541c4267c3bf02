using System.Net;
using System.Net.Sockets;

namespace Nono.Build.Sdk.Tests;

/// <summary>
/// The trust boundary: a package's props and targets cannot switch the sandbox off, widen it or
/// route an Exec around it; the repository and the command line can. Root only: as another user
/// the planted secret is unreadable anyway, so the outcome cannot differ in the sandbox's favour.
/// </summary>
public sealed class PackageSettingsTests(E2EEnvironment env) : IDisposable
{
    private const string Package = "the package 'nono.e2e.meddling 1.0.0'";
    private readonly TcpListener listener = StartListener();
    private readonly string meddledFile = Path.Combine(env.SshDirectory, $"nono-e2e-meddled-{Guid.NewGuid():N}");

    private int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Dispose()
    {
        listener.Stop();
        File.Delete(meddledFile);
    }

    public static TheoryData<string, string> Settings()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in new[] { "props", "targets" })
        {
            foreach (var setting in new[] { "SandboxEnabled", "SandboxReplaceExec", "SandboxMode", "SandboxEnvironmentMode", "SandboxUnsupportedPlatform",
                         "SandboxDiagnostics", "OutDir", "SandboxRead", "SandboxWrite", "SandboxNetwork", "SandboxEnvironment" })
                data.Add(setting, file);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void ASettingFromAPackage_IsIgnored_AndTheWarningNamesThePackage(string setting, string file)
    {
        var result = Meddle(NewProject(setting), setting, file);

        AssertContained(result);
        Assert.Contains($"warning NONO0010: {Package} sets", result.Output.Replace($"{Package} adds", $"{Package} sets"));
        Assert.Contains(setting, result.Output);
        Assert.DoesNotContain("NONO2001", result.Output); // SandboxDiagnostics stayed off
        Assert.DoesNotContain("NONO2003", result.Output); // SandboxMode stayed Enforce
    }

    [Theory]
    [InlineData("props")]
    [InlineData("targets")]
    public void APackageThatRegistersItsOwnExec_RunsNoStepUnsandboxed(string file)
    {
        var result = Meddle(NewProject("register-exec"), "RegisterExec", file);

        AssertContained(result);
        Assert.NotEqual(0, result.ExitCode);
        if (file == "props") // first to register: the probe finds it and the build stops before any step
        {
            Assert.Contains("error NONO0011: Exec does not reach the build sandbox", result.Output);
            Assert.Contains(Package, result.Output);
            Assert.DoesNotContain("token=", result.Output);
        }
    }

    [Fact]
    public void APackageThatHooksThePolicyTarget_RunsNoStepUnsandboxed()
    {
        var result = Meddle(NewProject("hook"), "Hook", "targets");

        AssertContained(result);
        Assert.Contains("NONO0003: this Exec is sandboxed but no sandbox policy was resolved", result.Output); // the step before the policy does not run
        Assert.True(HasLine(result, "write=refused"), result.ToString()); // the one after it runs sandboxed
    }

    [Fact]
    public void APackageThatCallsExecByItsFullName_GetsTheSandboxedExec()
    {
        var result = Meddle(NewProject("full-name"), "FullName", "targets");

        AssertContained(result);
        Assert.Equal(3, result.Output.Split('\n').Count(l => l.Trim() == "write=refused"));
    }

    [Fact]
    public void APackagesOwnSandboxExec_GetsNoGrantsOfItsOwn()
    {
        var result = Meddle(NewProject("sandboxexec"), "SandboxExecGrants", "targets");

        AssertContained(result);
        Assert.Contains($"warning NONO0010: {Package} asks for more sandbox grants for its own step", result.Output);
        Assert.Equal(2, result.Output.Split('\n').Count(l => l.Trim() == "write=refused"));
    }

    /// <summary>Controls: the same settings from the repository and the command line are obeyed, so the probes above can see them.</summary>
    [Theory]
    [InlineData("Directory.Build.props")]
    [InlineData("project")]
    [InlineData("command line")]
    public void TheSameSettingsFromTheRepository_AreObeyed(string source)
    {
        var project = NewProject("control");
        var settings = "<SandboxEnvironmentMode>Inherit</SandboxEnvironmentMode>";
        var items = $"""<SandboxRead Include="{env.SecretFile}" /><SandboxWrite Include="{env.SshDirectory}" /><SandboxNetwork Include="{Port}" />""";
        string[] args = [];
        if (source == "Directory.Build.props")
            project.File("Directory.Build.props", $"<Project><PropertyGroup>{settings}</PropertyGroup><ItemGroup>{items}</ItemGroup></Project>");
        else if (source == "project")
            project.Property("SandboxEnvironmentMode", "Inherit").Item(items);
        else
        {
            project.Item(items);
            args = ["-p:SandboxEnvironmentMode=Inherit"];
        }
        project.Write();

        var result = Meddle(project, "none", "none", args);

        Assert.Contains(env.SecretContent, result.Output);
        Assert.Contains("token=visible-token", result.Output);
        Assert.True(HasLine(result, "tcp=connected"), result.ToString());
        Assert.True(HasLine(result, "write=done"), result.ToString());
        Assert.DoesNotContain("NONO0010", result.Output);
    }

    [Fact]
    public void ASettingInAFileStepsMayWrite_IsIgnored_ThoughAPackageImportsItFromOutsideItsFolder()
    {
        // Steps may write the .NET runtime's shared folder in /tmp: an earlier build's step could have left this.
        var planted = Path.Combine("/tmp/.dotnet", $"nono-e2e-planted-{Guid.NewGuid():N}.props");
        File.WriteAllText(planted, "<Project><PropertyGroup><SandboxEnabled>false</SandboxEnabled></PropertyGroup></Project>");
        try
        {
            var result = Meddle(NewProject("planted"), "none", "none", $"-p:MeddleImport={planted}");

            AssertContained(result);
            Assert.Contains("warning NONO0010:", result.Output);
            Assert.Contains("/tmp/.dotnet/", result.Output);
        }
        finally
        {
            File.Delete(planted);
        }
    }

    [Fact]
    public void SandboxEnabledFalse_FromTheRepository_TurnsItOff()
    {
        var project = NewProject("control-off");
        project.File("Directory.Build.props", "<Project><PropertyGroup><SandboxEnabled>false</SandboxEnabled></PropertyGroup></Project>").Write();

        var result = Meddle(project, "none", "none");

        Assert.Contains(env.SecretContent, result.Output);
        Assert.True(HasLine(result, "write=done"), result.ToString());
    }

    private TestProject NewProject(string name)
    {
        var project = new TestProject(env, "meddling-" + name.ToLowerInvariant())
            .Item($"""<PackageReference Include="{E2EEnvironment.MeddlingPackageId}" Version="1.0.0" />""");
        return project.Write();
    }

    private CliResult Meddle(TestProject project, string setting, string file, params string[] args) =>
        project.MSBuild(new Dictionary<string, string?> { ["MY_API_TOKEN"] = "visible-token" },
            ["-restore", "-t:MeddlingStep", $"-p:Meddle={setting}", $"-p:MeddleIn={file}", $"-p:MeddleSecret={env.SecretFile}",
             $"-p:MeddleFile={meddledFile}", $"-p:MeddlePort={Port}", .. args]);

    /// <summary>No step got what the package asked for.</summary>
    private void AssertContained(CliResult result)
    {
        Assert.DoesNotContain(env.SecretContent, result.Output);
        Assert.DoesNotContain("token=visible-token", result.Output);
        Assert.False(HasLine(result, "tcp=connected"), result.ToString());
        Assert.False(HasLine(result, "write=done"), result.ToString());
        Assert.False(File.Exists(meddledFile), $"a step wrote {meddledFile}\n{result}");
        Assert.False(listener.Pending(), "a step connected to the listener");
    }

    /// <summary>A line of the step's own output (the echoed command line holds the same words).</summary>
    private static bool HasLine(CliResult result, string line) => result.Output.Split('\n').Any(l => l.Trim() == line);

    private static TcpListener StartListener()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }
}
