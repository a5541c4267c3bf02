namespace Nono.Build.Tool.Tests;

/// <summary>
/// A kernel without Landlock, as dotnet nono meets it: strace makes landlock_create_ruleset fail
/// with ENOSYS, which is what such a kernel answers. The build stops with NONO0001 before anything
/// of it runs, and runs unsandboxed only when the command line asks for it.
/// </summary>
public sealed class NoLandlockTests(ToolEnvironment env)
{
    [Fact]
    public void WithoutLandlock_TheBuildStopsWithNONO0001_AndRunsUnsandboxedOnlyWithTheOption()
    {
        var repo = env.NewRepository("no-landlock", ["App"], []);
        var app = Path.Combine(repo, "App");

        var refused = WithoutLandlock(app, "build", "-nologo");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("dotnet nono: error NONO0001: this kernel does not enforce Landlock", refused.Output);
        Assert.Contains("--unsandboxed", refused.Output);
        Assert.False(Directory.Exists(Path.Combine(app, "obj")), "the refused build restored or built something");

        var unsandboxed = WithoutLandlock(app, "--unsandboxed", "build", "-nologo");

        Assert.True(unsandboxed.Succeeded, unsandboxed.ToString());
        Assert.Contains("dotnet nono: warning NONO0001", unsandboxed.Output);
        Assert.Contains("UNSANDBOXED", unsandboxed.Output);
        Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "App.dll")), unsandboxed.ToString());
    }

    private CliResult WithoutLandlock(string directory, params string[] args) =>
        Cli.Run(directory, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = env.Packages },
            "strace", ["-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e", "trace=landlock_create_ruleset", "-e", "inject=landlock_create_ruleset:error=ENOSYS", env.DotnetNono, .. args]);
}
