namespace Nono.Build.Sdk.Tests;

/// <summary>SandboxDiagnostics=true names what the sandbox denied; SandboxMode=Audit suggests the items that allow it.</summary>
public sealed class DenialDiagnosticsTests(E2EEnvironment env)
{
    /// <summary>A folder outside the project, as a tool's settings or cache would be.</summary>
    private string Outside(string name, params (string File, string Content)[] files)
    {
        var dir = Directory.CreateDirectory(Path.Combine(env.Root, "outside-" + Guid.NewGuid().ToString("N")[..8], name)).FullName;
        foreach (var (file, content) in files)
            File.WriteAllText(Path.Combine(dir, file), content);
        return dir;
    }

    [Fact]
    public void WithDiagnostics_AFailedStep_NamesEachDenial_WithTheItemThatAllowsIt()
    {
        Landlock.Require();
        var tool = Outside("tool", ("settings.json", "{}"));
        var cache = Outside("cache");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(cache)!, "other.txt"), "other");
        var project = new TestProject(env, "diagnostics")
            .Property("SandboxDiagnostics", "true")
            .Target($$"""
                <Target Name="Steps">
                  <Exec Command="sh -c 'sh -c &quot;cat {{tool}}/settings.json&quot;'" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="touch {{cache}}/entry" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="cat {{env.SecretFile}} 2>/dev/null || echo tolerated" />
                  <Exec Command="echo allowed > $(IntermediateOutputPath)allowed.txt" />
                  <SandboxExec Command="cat {{tool}}/settings.json; cat {{cache}}/../other.txt" Read="{{tool}}" ContinueOnError="ErrorAndContinue" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Steps");

        Assert.NotEqual(0, result.ExitCode);
        // A grandchild's denial (sh -> sh -> cat), with its program and the item to add.
        Assert.Matches($@"error NONO2001: the sandbox denied reading '{tool}/settings.json' to /usr/bin/cat \(pid \d+\); if the step needs it, add <SandboxRead Include=""{tool}"" />", result.Output);
        Assert.Matches($@"error NONO2001: the sandbox denied creating '{cache}/entry' to /usr/bin/touch \(pid \d+\); if the step needs it, add <SandboxWrite Include=""{cache}"" />", result.Output);
        // A tool that gets on without what it was denied: a message, not an error.
        Assert.Contains("tolerated", result.Output);
        Assert.Matches($@"NONO2001: the sandbox denied reading '{env.SecretFile}' to /usr/bin/cat \(pid \d+\); no item allows it: '{env.SshDirectory}' holds secrets, which the sandbox never grants; [^\n]* \(the step succeeded without it\)", result.Output);
        Assert.DoesNotContain("error NONO2001: the sandbox denied reading '" + env.SecretFile, result.Output);
        Assert.DoesNotContain(env.SecretContent, result.Output);
        Assert.DoesNotContain("allowed.txt'", result.Output); // an allowed step reports nothing
        Assert.True(File.Exists(project.Combine("obj", "Debug", "net10.0", "allowed.txt")));
        Assert.DoesNotContain("NONO3001", result.Output);
        // A SandboxExec with its own grants records too, against its own policy.
        Assert.Matches($@"error NONO2001: the sandbox denied reading '{Path.GetDirectoryName(cache)}/other.txt' to /usr/bin/cat", result.Output);
    }

    [Fact]
    public void WithoutDiagnostics_AFailedStep_SaysHowToTurnThemOn()
    {
        Landlock.Require();
        var project = new TestProject(env, "no-diagnostics")
            .Target($"""
                <Target Name="Steps">
                  <Exec Command="cat {env.SecretFile}" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Steps");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("NONO3001", result.Output);
        Assert.Contains("-p:SandboxDiagnostics=true", result.Output);
        Assert.DoesNotContain("NONO2001", result.Output);
    }

    [Fact]
    public void Audit_RunsTheStepUnenforced_WarnsAndSuggests_AndTheSuggestionsMakeItPassEnforced()
    {
        Landlock.Require();
        var tool = Outside("tool", ("settings.json", "{\"stamp\": 1}"));
        var cache = Outside("cache");
        var step = $"cat {tool}/settings.json > $(OutDir)copy.json &amp;&amp; mkdir -p {cache}/v1 &amp;&amp; echo data > {cache}/v1/entry";
        var project = new TestProject(env, "audit")
            .Target($"""
                <Target Name="Steps">
                  <Exec Command="{step}" />
                </Target>
                """);
        var suggested = project.Combine("obj", "sandbox.suggested.props");

        var audited = project.Write().MSBuild("-t:Steps", "-p:SandboxMode=Audit");

        Assert.True(audited.Succeeded, audited.ToString());
        Assert.Contains("warning NONO2003", audited.Output);
        Assert.Matches($@"warning NONO2002: the sandbox would deny reading '{tool}/settings.json' by /usr/bin/cat \(pid \d+\); to allow it, add <SandboxRead Include=""{tool}"" />", audited.Output);
        Assert.Contains($"warning NONO2002: the sandbox would deny creating '{cache}/v1'", audited.Output);
        Assert.True(File.Exists(Path.Combine(cache, "v1", "entry")), "audit did not let the step run");
        var props = File.ReadAllText(suggested);
        Assert.Contains($"<SandboxRead Include=\"{tool}\" Condition=\"Exists('{tool}')\" />", props);
        Assert.Contains($"<SandboxWrite Include=\"{cache}\" />", props);
        Assert.DoesNotContain("Include=\"/\"", props);

        // Control: enforced without the suggestions, the step is denied.
        Directory.Delete(Path.Combine(cache, "v1"), recursive: true);
        var enforced = project.MSBuild("-t:Steps");
        Assert.NotEqual(0, enforced.ExitCode);

        project.Target($"""<Import Project="{suggested}" />""").Write();
        var withSuggestions = project.MSBuild("-t:Steps");

        Assert.True(withSuggestions.Succeeded, withSuggestions.ToString());
        Assert.True(File.Exists(Path.Combine(cache, "v1", "entry")));
        Assert.DoesNotContain("NONO2002", withSuggestions.Output);
    }
}
