using System.Security;

namespace Nono.Build.Tool.Tests;

/// <summary>
/// SandboxDiagnostics and SandboxMode=Audit for the whole build: after the build, dotnet nono says
/// what the sandbox denied (or would deny), to which part of the build, with the SDK's NONO codes
/// and the item that allows it; an audit writes the items to sandbox.suggested.props.
/// </summary>
[Collection(ProbeListeners.Name)]
public sealed class DiagnosticsTests(ToolEnvironment env)
{
    /// <summary>A file outside every grant of the whole build (the run's root, above the repository), and an Exec that reads it.</summary>
    private (string Outside, string Content, string Target) ExecReadingAFileOutside()
    {
        var content = $"outside-{Guid.NewGuid():N}";
        var outside = Path.Combine(env.Root, $"{content}.txt");
        File.WriteAllText(outside, content + "\n");
        var target = $"""
              <Target Name="NonoReadOutside" AfterTargets="Build">
                <Exec Command="cat '{SecurityElement.Escape(outside)}'" ContinueOnError="true" />
              </Target>
            """;
        return (outside, content, target);
    }

    [Fact]
    public void SandboxDiagnosticsInTheRepository_ReportsWhatTheBuildWasDenied_WithTheProcessTheCodeAndTheItem()
    {
        Landlock.Require();
        var repo = env.NewRepository("diagnostics", ["App"], [ToolEnvironment.TaskProbeId]);
        var (outside, content, target) = ExecReadingAFileOutside();
        File.WriteAllText(Path.Combine(repo, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <SandboxDiagnostics>true</SandboxDiagnostics>
              </PropertyGroup>
            {target}
            </Project>
            """);
        // What earlier tests' plain controls left waiting on the shared listeners is not this build's.
        ToolEnvironment.Reached(env.TcpListener);
        ToolEnvironment.Reached(env.UnixListener);

        var r = env.Nono(Path.Combine(repo, "App"), null, "build", "-nologo", "-tl:off");

        Assert.True(r.Succeeded, r.ToString());
        Assert.Contains("dotnet nono: diagnostics (SandboxDiagnostics=true at ", r.Output);
        Assert.DoesNotContain(content, r.Output.Replace(outside, "", StringComparison.Ordinal));
        Assert.DoesNotContain(env.SecretContent, r.Output);
        // The Exec's cat, with the task that started it and the folder to allow.
        Assert.Contains($"dotnet nono: NONO2001: the sandbox denied reading '{outside}' to /usr/bin/cat, while MSBuild ran task Exec ({Path.Combine(repo, "Directory.Build.props")}) for App.csproj (pid ", r.Output);
        Assert.Contains($"if the build needs it, add <SandboxRead Include=\"{env.Root}\" />", r.Output);
        // The package's inline task, in MSBuild's process, named by the build's timeline: a secrets
        // folder, which no item grants.
        Assert.Contains($"the sandbox denied reading '{env.SecretFile}' to MSBuild, while it ran task NonoInlineProbe of package {ToolEnvironment.TaskProbeId.ToLowerInvariant()} 1.0.0 (build/{ToolEnvironment.TaskProbeId}.targets) for App.csproj (pid ", r.Output);
        Assert.Contains($"no item allows it: '{env.SshDirectory}' holds secrets", r.Output);
        // Its connections, refused by the supervisor (--unix-own) and recorded with the rest.
        Assert.Matches($@"NONO2001: the sandbox denied a TCP connection to \S+:{env.TcpPort} to MSBuild, while it ran task NonoInlineProbe .*add <SandboxNetwork Include=""{env.TcpPort}"" />", r.Output);
        Assert.Contains($"the sandbox denied a connection to the Unix socket '{env.UnixSocketPath}' to MSBuild, while it ran task NonoInlineProbe of package", r.Output);
        Assert.False(ToolEnvironment.Reached(env.TcpListener) || ToolEnvironment.Reached(env.UnixListener), "recording changed the enforcement: " + r);
        Assert.False(File.Exists(Path.Combine(repo, "sandbox.suggested.props")), "only an audit writes suggestions");
    }

    [Fact]
    public void AuditOnTheCommandLine_LetsTheBuildDoIt_AndWritesTheSuggestedItems()
    {
        Landlock.Require();
        var repo = env.NewRepository("audit", ["App"], []);
        var (outside, content, target) = ExecReadingAFileOutside();
        File.WriteAllText(Path.Combine(repo, "Directory.Build.props"), $"<Project>\n{target}\n</Project>\n");

        var r = env.Nono(Path.Combine(repo, "App"), null, "--audit", "build", "-nologo", "-tl:off");

        Assert.True(r.Succeeded, r.ToString());
        Assert.Contains("dotnet nono: warning NONO2003: audit (--audit)", r.Output);
        Assert.Contains(content, r.Output.Replace(outside, "", StringComparison.Ordinal)); // nothing was enforced: cat printed it
        Assert.Contains($"dotnet nono: warning NONO2002: the sandbox would deny reading '{outside}' to /usr/bin/cat, while MSBuild ran task Exec ({Path.Combine(repo, "Directory.Build.props")}) for App.csproj (pid ", r.Output);
        var suggested = Path.Combine(repo, "sandbox.suggested.props");
        Assert.Contains($"suggested item(s) to {suggested}", r.Output);
        var props = File.ReadAllText(suggested);
        Assert.Contains($"<SandboxRead Include=\"{env.Root}\" Condition=\"Exists('{env.Root}')\" />", props);
        Assert.Contains("Written by dotnet nono (audit)", props);
        // Nothing the build itself does not need: the CLI's own workload check stays off (it
        // would go online from its new HOME), its writability probe of the .NET install is noise.
        Assert.DoesNotContain("SandboxNetwork", props);
        Assert.DoesNotContain("/metadata", props);
    }

    [Fact]
    public void WithAWorkerNode_EachProjectsDenialNamesTheTaskThatRanForIt()
    {
        Landlock.Require();
        var repo = env.NewRepository("diagnostics-m2", ["One", "Two"], [ToolEnvironment.TaskProbeId]);

        var r = env.Nono(repo, null, "--diagnostics", "build", "All.slnx", "-m:2", "-nologo", "-tl:off", "-v:d");

        Assert.True(r.Succeeded, r.ToString());
        Assert.Matches("on node 2", r.Output); // a project built in the worker node's process
        // The probe task plants a file in its own project's folder: one denial per project.
        foreach (var project in new[] { "One", "Two" })
            Assert.Contains($"the sandbox denied creating '{Path.Combine(repo, project, "planted-by-package.txt")}' to MSBuild, while it ran task NonoInlineProbe of package {ToolEnvironment.TaskProbeId.ToLowerInvariant()} 1.0.0 (build/{ToolEnvironment.TaskProbeId}.targets) for {project}.csproj (pid ", r.Output);
    }
}
