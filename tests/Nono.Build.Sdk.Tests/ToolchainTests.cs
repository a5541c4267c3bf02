namespace Nono.Build.Sdk.Tests;

/// <summary>The user's toolchains: a command a step names is the same program inside the sandbox as outside.</summary>
public sealed class ToolchainTests(E2EEnvironment env)
{
    /// <summary>A pyenv-style shim runs the real program from the manager's root, which the sandbox grants.</summary>
    [Fact]
    public void AVersionManagersShim_RunsTheSameProgramInside()
    {
        Landlock.Require();
        var root = Directory.CreateDirectory(Path.Combine(env.Root, "toolchains", "pyenv")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "shims"));
        Directory.CreateDirectory(Path.Combine(root, "libexec"));
        File.WriteAllText(Path.Combine(root, "libexec", "real-tool"), "#!/bin/sh\necho \"real-tool from $0 version $(cat \"$PYENV_ROOT/version\")\"\n");
        File.WriteAllText(Path.Combine(root, "version"), "3.99\n");
        File.WriteAllText(Path.Combine(root, "shims", "nono-shim-tool"), $"#!/bin/sh\nexec \"{root}/libexec/real-tool\" \"$@\"\n");
        foreach (var script in new[] { "libexec/real-tool", "shims/nono-shim-tool" })
            File.SetUnixFileMode(Path.Combine(root, script), (UnixFileMode)0b111_101_101);
        var project = new TestProject(env, "toolchain-shim")
            .Target("""<Target Name="Step"><Exec Command="nono-shim-tool" /></Target>""")
            .Write();

        var result = project.MSBuild(new Dictionary<string, string?>
        {
            ["PYENV_ROOT"] = root,
            ["PATH"] = Path.Combine(root, "shims") + ":" + Environment.GetEnvironmentVariable("PATH"),
        }, "-t:Step");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains($"real-tool from {root}/libexec/real-tool version 3.99", result.Output);
        Assert.DoesNotContain("NONO1005", result.Output);
    }

    /// <summary>python3, node, git and dotnet: whichever the PATH names outside, the step gets inside.</summary>
    [Theory]
    [InlineData("python3", "python3 -c \"import sys, os; print(os.path.realpath(sys.executable))\"")]
    [InlineData("node", "node -p process.execPath")]
    [InlineData("git", "git --version")]
    public void APathCommand_IsTheSameProgramInsideAsOutside(string tool, string command)
    {
        Landlock.Require();
        var outside = Cli.Run(env.Root, null, "sh", "-c", command);
        Assert.True(outside.Succeeded, $"{tool} is not on this machine's PATH: {outside}");
        var project = new TestProject(env, "toolchain-" + tool)
            .Target($$"""<Target Name="Step"><Exec Command="{{System.Security.SecurityElement.Escape(command)}}" /></Target>""")
            .Write();

        var result = project.MSBuild("-t:Step");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(outside.Output.Trim().Split('\n')[^1].Trim(), result.Output);
    }
}
