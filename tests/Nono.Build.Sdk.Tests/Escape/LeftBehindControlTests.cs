namespace Nono.Build.Sdk.Tests.Escape;

/// <summary>
/// The controls of the escape attempts on what a step leaves behind (msbuild-state, special-files,
/// terminal-prompt, forge-nono in <see cref="EscapeCatalog"/>): with <c>SandboxEnabled=false</c>
/// each attack does what it is after, so the escape suite's refusals are the SDK's doing. Built as
/// the tests' own user.
/// </summary>
public sealed class LeftBehindControlTests(E2EEnvironment env)
{
    private const string Marker = "nono-left-behind-state";
    private const string Password = "hunter2-nono";

    /// <summary>
    /// The attack of the assets cache, end to end: a step copies an "analyzer" and a
    /// Directory.Build.props (SandboxEnabled=false) into obj/ and adds them to the assets cache,
    /// as an analyzer and as a copy-local item whose destination climbs out of $(OutDir); and it
    /// writes the RAR and GenerateResource state. Unsandboxed, the next build's compiler loads the
    /// analyzer (CS8034: it is no assembly, so loading fails; a real one would run) and MSBuild's
    /// Copy writes the props into the project folder, switching the sandbox off for later builds;
    /// the other state survives. Sandboxed, each file is caught after the step (NONO3003), deleted,
    /// and the next build makes its own.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StateAStepWrote_SteersTheNextBuild_OnlyWithoutTheSandbox(bool sandboxed)
    {
        if (sandboxed)
            Landlock.Require();
        var project = new TestProject(env, "left-behind-state")
            .Property("SandboxEnabled", sandboxed ? "true" : "false")
            .Property("CopyLocalLockFileAssemblies", "true") // as in an Exe or a test project
            .File("tamper.py", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Escape", "attempts", "assets_cache.py")) + $$"""

                import os, shutil
                obj = "obj/Debug/net10.0"
                analyzer = os.path.abspath(obj + "/Evil.Analyzer.dll")
                props = os.path.abspath(obj + "/Directory.Build.props")
                shutil.copyfile("tamper.py", analyzer)
                with open(props, "w") as f:
                    f.write("<Project><PropertyGroup><SandboxEnabled>false</SandboxEnabled></PropertyGroup></Project>\n")
                cache = obj + "/left-behind-state.assets.cache"
                add_item(cache, "Analyzers", analyzer)
                add_item(cache, "RuntimeAssemblies", props, {"AssetType": "runtime", "CopyLocal": "true",
                    "DestinationSubPath": "../../../Directory.Build.props", "DestinationSubDirectory": "../../../",
                    "NuGetPackageId": "Evil", "NuGetPackageVersion": "1.0.0", "PathInPackage": "lib/net10.0/Directory.Build.props"})
                print("tampered with " + cache)
                """)
            .Target($$"""
                <Target Name="Tamper">
                  <Exec Command="python3 tamper.py" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="printf '\n{{Marker}}\n' >> '$(IntermediateOutputPath)$(MSBuildProjectFile).AssemblyReference.cache'" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="printf '{{Marker}}\n' > '$(IntermediateOutputPath)$(MSBuildProjectFile).GenerateResource.cache'" ContinueOnError="ErrorAndContinue" />
                </Target>
                """)
            .Write();
        var obj = project.Combine("obj", "Debug", "net10.0");
        var assetsCache = Path.Combine(obj, "left-behind-state.assets.cache");
        string[] markedState = ["left-behind-state.csproj.AssemblyReference.cache", "left-behind-state.csproj.GenerateResource.cache"];
        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        Assert.True(File.Exists(assetsCache), "the build wrote no assets cache");

        var tamper = project.MSBuild("-t:Tamper");
        Assert.Contains("tampered with obj/Debug/net10.0/left-behind-state.assets.cache", tamper.Output);
        var next = project.Build();

        Assert.True(next.Succeeded, next.ToString());
        var plantedProps = project.Combine("Directory.Build.props");
        if (sandboxed)
        {
            Assert.False(tamper.Succeeded);
            foreach (var file in markedState.Prepend("left-behind-state.assets.cache"))
                Assert.Contains($" '{Path.Combine(obj, file)}', which MSBuild reads back as its own state", tamper.Output);
            Assert.Contains($"error NONO3003: the step `python3 tamper.py` changed '{assetsCache}', which MSBuild reads back", tamper.Output);
            Assert.DoesNotContain("Evil.Analyzer.dll", next.Output);
            Assert.False(File.Exists(plantedProps), "MSBuild's Copy wrote the step's Directory.Build.props into the project folder");
            foreach (var file in markedState)
                Assert.False(File.Exists(Path.Combine(obj, file)) && File.ReadAllText(Path.Combine(obj, file)).Contains(Marker), $"{file} holds what the step wrote");
        }
        else
        {
            Assert.True(tamper.Succeeded, tamper.ToString());
            Assert.Contains($"warning CS8034: Unable to load Analyzer assembly {Path.Combine(obj, "Evil.Analyzer.dll")}", next.Output);
            Assert.True(File.Exists(plantedProps), "the control shows nothing: Copy did not write the props into the project folder\n" + next);
            Assert.Contains("<SandboxEnabled>false</SandboxEnabled>", File.ReadAllText(plantedProps));
            foreach (var file in markedState)
                Assert.True(File.ReadAllText(Path.Combine(obj, file)).Contains(Marker), $"{file}: the next build did not keep what the step wrote");
        }
    }

    /// <summary>Under SandboxMode=Audit, which is for finding what a build needs, a state file a step wrote is a warning; it is deleted all the same.</summary>
    [Fact]
    public void UnderAudit_AStateFileAStepWrote_IsAWarning_AndDeleted()
    {
        Landlock.Require();
        var project = new TestProject(env, "left-behind-audit")
            .Property("SandboxMode", "Audit")
            .Target($$"""
                <Target Name="Tamper">
                  <Exec Command="printf '\n{{Marker}}\n' >> '$(ProjectAssetsCacheFile)'" />
                </Target>
                """)
            .Write();
        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        var cache = project.Combine("obj", "Debug", "net10.0", "left-behind-audit.assets.cache");

        var tamper = project.MSBuild("-t:Tamper");

        Assert.True(tamper.Succeeded, tamper.ToString());
        Assert.Contains($"warning NONO3003: the step `printf", tamper.Output);
        Assert.False(File.Exists(cache) && File.ReadAllText(cache).Contains(Marker), "the assets cache holds what the step wrote");
    }

    /// <summary>
    /// Unsandboxed, a FIFO a step leaves where Copy expects the .pdb hangs the next build (it is
    /// killed after 60 s here); sandboxed, the step cannot make it.
    /// </summary>
    [Fact]
    public void AFifoAtThePdb_HangsTheNextBuild_WithoutTheSandbox()
    {
        var project = new TestProject(env, "left-behind-fifo")
            .Property("SandboxEnabled", "false")
            .Target("""
                <Target Name="PlantFifo">
                  <Exec Command="rm -f '$(IntermediateOutputPath)$(TargetName).pdb' &amp;&amp; mkfifo '$(IntermediateOutputPath)$(TargetName).pdb'" />
                </Target>
                """)
            .Write();
        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        var plant = project.MSBuild("-t:PlantFifo");
        Assert.True(plant.Succeeded, plant.ToString());

        var next = Cli.Run(project.Directory, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = env.Packages }, "timeout", "-k", "5", "60", "dotnet", "build", project.ProjectFile, "-nologo", "-v:n", "-tl:off", "--disable-build-servers", "-nodeReuse:false");

        Assert.Equal(124, next.ExitCode);
        Assert.Contains("left-behind-fifo.pdb\" to \"", next.Output);
        Assert.DoesNotContain("Build succeeded", next.Output);
    }

    /// <summary>
    /// A step's standard input: what the user types reaches it only with SandboxStandardInput=Inherit
    /// or without the sandbox; by default it reads /dev/null.
    /// </summary>
    [Theory]
    [InlineData(false, "Null", true)]
    [InlineData(true, "Null", false)]
    [InlineData(true, "Inherit", true)]
    public void WhatTheUserTypes_ReachesAStep_OnlyWhenAllowed(bool sandboxed, string standardInput, bool reaches)
    {
        if (sandboxed)
            Landlock.Require();
        var project = new TestProject(env, "left-behind-stdin")
            .Property("SandboxEnabled", sandboxed ? "true" : "false")
            .Property("SandboxStandardInput", standardInput)
            .Target("""
                <Target Name="Prompt" AfterTargets="Build">
                  <Exec Command="printf '[sudo] password for user: '; read -r typed; echo &quot;step read: [$typed]&quot;" />
                </Target>
                """)
            .Write();
        var restore = project.Dotnet(null, "restore", project.ProjectFile);
        Assert.True(restore.Succeeded, restore.ToString());

        // The build's standard input is a pipe the "user" types into.
        var build = Cli.Run(project.Directory, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = env.Packages }, "/bin/sh", "-c",
            $"printf '{Password}\\n' | dotnet build '{project.ProjectFile}' --no-restore -nologo -v:n -tl:off --disable-build-servers -nodeReuse:false");

        Assert.True(build.Succeeded, build.ToString());
        Assert.Contains(reaches ? $"step read: [{Password}]" : "step read: []", build.Output);
    }
}
