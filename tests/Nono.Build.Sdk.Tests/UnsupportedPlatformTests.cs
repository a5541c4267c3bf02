namespace Nono.Build.Sdk.Tests;

/// <summary>
/// SandboxUnsupportedPlatform on a machine without Landlock. The build runs under a seccomp filter
/// that answers the Landlock system calls with ENOSYS, exactly what a kernel without Landlock
/// answers, so the whole build, the SDK's probe included, sees such a kernel.
/// </summary>
public sealed class UnsupportedPlatformTests(E2EEnvironment env)
{
    /// <summary>python3: install the filter (landlock_* are 444-446 on every architecture), then exec argv[1:].</summary>
    private const string WithoutLandlock = """
        import ctypes, os, struct, sys
        libc = ctypes.CDLL(None, use_errno=True)
        def op(code, jt, jf, k): return struct.pack("HBBI", code, jt, jf, k)
        program = b"".join([
            op(0x20, 0, 0, 0),                  # A = syscall number
            op(0x35, 0, 2, 444),                # if A < 444: allow
            op(0x25, 1, 0, 446),                # if A > 446: allow
            op(0x06, 0, 0, 0x00050000 | 38),    # return ENOSYS
            op(0x06, 0, 0, 0x7fff0000),         # allow
        ])
        filters = ctypes.create_string_buffer(program)
        fprog = struct.pack("HxxxxxxQ", len(program) // 8, ctypes.addressof(filters))
        if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.c_char_p(fprog)):
            sys.exit("cannot install the filter: " + os.strerror(ctypes.get_errno()))
        os.execvp(sys.argv[1], sys.argv[1:])
        """;

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
            "python3", "-c", WithoutLandlock, "dotnet", "msbuild", project.ProjectFile, "-nologo", "-v:n", "-tl:off", "-nodeReuse:false", "-t:Step");
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
