namespace Nono.Build.Sdk.Tests;

/// <summary>
/// SandboxUnsupportedPlatform on a machine without Landlock. The build runs under a seccomp filter
/// that answers the Landlock system calls with ENOSYS, exactly what a kernel without Landlock
/// answers, so the whole build, the SDK's probe included, sees such a kernel.
/// </summary>
public sealed class UnsupportedPlatformTests(E2EEnvironment env)
{
    private CliResult BuildWithoutLandlock(string? choice)
    {
        var project = new TestProject(env, "no-landlock-" + (choice ?? "default").ToLowerInvariant());
        if (choice is not null)
            project.Property("SandboxUnsupportedPlatform", choice);
        project.Target($$"""
                <Target Name="Step">
                  <Exec Command="cat {{env.SecretFile}}" />
                </Target>
                """)
            .Write();
        return Cli.Run(project.Directory, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = env.Packages },
            "python3", SyscallRefusal.WithoutLandlock("dotnet", "msbuild", project.ProjectFile, "-nologo", "-v:n", "-tl:off", "-nodeReuse:false", "-t:Step"));
    }

    [Fact]
    public void Error_TheDefault_FailsTheBuild_AndNoStepRuns()
    {
        var result = BuildWithoutLandlock(null);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"error NONO0001: the build sandbox is not available here: [^\n]*Landlock[^\n]*SandboxUnsupportedPlatform=Warn", result.Output);
        Assert.DoesNotContain(env.SecretContent, result.Output);
    }

    [Fact]
    public void Warn_RunsTheStepsUnsandboxed_WithAWarning()
    {
        var result = BuildWithoutLandlock("Warn");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Matches(@"warning NONO0001: the build sandbox is not available here", result.Output);
        Assert.Contains(env.SecretContent, result.Output); // unsandboxed, as the warning says
    }

    [Fact]
    public void Ignore_RunsTheStepsUnsandboxed_Silently()
    {
        var result = BuildWithoutLandlock("Ignore");

        Assert.True(result.Succeeded, result.ToString());
        Assert.DoesNotContain("NONO0001", result.Output);
        Assert.Contains(env.SecretContent, result.Output);
    }
}
