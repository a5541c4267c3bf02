namespace Nono.Build.Sdk.Tests;

/// <summary>
/// Real build-time packages from NuGet and the tools real builds run, under the sandbox, each with
/// what docs/compatibility.md says the user writes (ideally nothing).
/// </summary>
public sealed class RealPackagesTests(E2EEnvironment env)
{
    private static void Git(TestProject project, params string[] args)
    {
        var result = Cli.Run(project.Directory, null, "git", ["-c", "user.email=e2e@example.com", "-c", "user.name=e2e", .. args]);
        Assert.True(result.Succeeded, result.ToString());
    }

    private static TestProject Committed(TestProject project, string? tag = null)
    {
        project.Write().GitInit();
        Git(project, "add", "-A");
        Git(project, "commit", "-qm", "initial");
        if (tag is not null)
            Git(project, "tag", tag);
        return project;
    }

    private static string AssemblyInfo(TestProject project) =>
        File.ReadAllText(Directory.GetFiles(project.Combine("obj", "Debug", "net10.0"), "*.AssemblyInfo.cs").Single());

    [Fact]
    public void MinVer_WorksAsItIs()
    {
        Landlock.Require();
        var project = Committed(new TestProject(env, "pkg-minver")
            .Item("""<PackageReference Include="MinVer" Version="8.0.0" PrivateAssets="all" />"""), tag: "1.2.3");

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("AssemblyInformationalVersionAttribute(\"1.2.3+", AssemblyInfo(project));
        Assert.DoesNotContain("NONO", result.Output);
    }

    [Fact]
    public void GitVersion_NeedsItsCacheInGitAndItsOutputFile_AndTheMessagesNameThem()
    {
        Landlock.Require();
        var project = Committed(new TestProject(env, "pkg-gitversion")
            .Property("SandboxDiagnostics", "true")
            .Item("""<PackageReference Include="GitVersion.MsBuild" Version="6.8.2" PrivateAssets="all" />"""));

        var without = project.Build();

        Assert.NotEqual(0, without.ExitCode);
        var first = without.Output.Split('\n').First(l => l.Contains("error NONO2001"));
        Assert.Contains($"<SandboxWrite Include=\"{project.Directory}/.git/gitversion_cache\" />", first);
        Assert.DoesNotContain("/proc/", without.Output.Split('\n').Where(l => l.Contains("NONO")).Aggregate("", string.Concat));

        project.Item("""<SandboxWrite Include="$(MSBuildProjectDirectory)/.git/gitversion_cache" />""")
            .Item("""<SandboxWrite Include="$(BaseIntermediateOutputPath)gitversion.json" File="true" />""").Write();
        var with = project.Build();

        Assert.True(with.Succeeded, with.ToString());
        Assert.True(File.Exists(project.Combine("obj", "Debug", "net10.0", "GitVersionInformation.g.cs")));
        Assert.DoesNotContain("error NONO", with.Output);
        Assert.False(Directory.Exists(project.Combine(".git", "hooks", "gitversion_cache")));
    }

    [Fact]
    public void NerdbankGitVersioning_WorksAsItIs()
    {
        Landlock.Require();
        var project = Committed(new TestProject(env, "pkg-nbgv")
            .Item("""<PackageReference Include="Nerdbank.GitVersioning" Version="3.10.94" PrivateAssets="all" />""")
            .File("version.json", """{ "version": "2.3" }"""));

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        var generated = string.Concat(Directory.GetFiles(project.Combine("obj", "Debug", "net10.0"), "*.cs").Select(File.ReadAllText));
        Assert.Matches(@"AssemblyFileVersion(Attribute)?\(""2\.3\.", generated);
    }

    /// <summary>protoc runs from Grpc.Tools' ProtoCompile, a ToolTask, not Exec: it is not sandboxed (docs/compatibility.md).</summary>
    [Fact]
    public void GrpcTools_Builds_ItsProtocIsAToolTaskOutsideTheSandbox()
    {
        Landlock.Require();
        var project = new TestProject(env, "pkg-grpc")
            .Item("""<PackageReference Include="Grpc.Tools" Version="2.85.0" PrivateAssets="all" />""")
            .Item("""<PackageReference Include="Google.Protobuf" Version="3.35.0" />""")
            .Item("""<Protobuf Include="hello.proto" GrpcServices="None" />""")
            .File("hello.proto", "syntax = \"proto3\";\npackage demo;\nmessage Hello { string name = 1; }\n")
            .Write();

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.True(File.Exists(project.Combine("obj", "Debug", "net10.0", "Hello.cs")));
    }

    /// <summary>CSharpier's check mode runs under the sandbox; its format mode would rewrite the sources, which the sandbox denies.</summary>
    [Fact]
    public void CSharpier_CheckMode_RunsAndReportsOnItsOwn_TheSourcesStayUntouched()
    {
        Landlock.Require();
        var project = new TestProject(env, "pkg-csharpier")
            .Property("CSharpier_Check", "true")
            .Item("""<PackageReference Include="CSharpier.MsBuild" Version="1.3.0" PrivateAssets="all" />""")
            .File("Class1.cs", "namespace E2E; public static class Class1 {   public static int Answer=>42; }\n")
            .Write();

        var result = project.Build();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Class1.cs : error : Was not formatted.", result.Output);
        Assert.DoesNotContain("Permission denied", result.Output);
        Assert.Equal("namespace E2E; public static class Class1 {   public static int Answer=>42; }\n", File.ReadAllText(project.Combine("Class1.cs")));
    }

    [Fact]
    public void Steps_Git_Node_Python_ShellScripts_AndADotnetProgramWithANamedMutex()
    {
        Landlock.Require();
        var project = Committed(new TestProject(env, "steps-tools") { OutputType = "Exe" }
            .File("Program.cs", """
                using var mutex = new Mutex(false, "Global\\nono-e2e-mutex");
                mutex.WaitOne();
                Console.WriteLine("mutex-taken");
                mutex.ReleaseMutex();
                """)
            .File("tools/gen.sh", "#!/bin/sh\nset -e\necho \"generated by $(basename \"$0\")\" > \"$1/gen.txt\"\necho script-ran\n", executable: true)
            .Target("""
                <Target Name="Tools" AfterTargets="Build">
                  <Exec Command="git rev-parse --short HEAD &amp;&amp; git log -1 --format=%s" />
                  <Exec Command="node -e &quot;require('fs').writeFileSync(process.argv[1] + '/node.txt', 'node ' + process.version); console.log('node-ran')&quot; $(IntermediateOutputPath)" />
                  <Exec Command="python3 -c &quot;import sys, pathlib; pathlib.Path(sys.argv[1], 'py.txt').write_text('python'); print('python-ran')&quot; $(IntermediateOutputPath)" />
                  <Exec Command="tools/gen.sh $(IntermediateOutputPath)" />
                  <Exec Command="dotnet &quot;$(TargetPath)&quot;" />
                </Target>
                """));

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("initial", result.Output);
        foreach (var marker in new[] { "node-ran", "python-ran", "script-ran", "mutex-taken" })
            Assert.Contains(marker, result.Output);
        Assert.True(File.Exists(project.Combine("obj", "Debug", "net10.0", "gen.txt")));
    }

    /// <summary>npm install with the network and its cache declared; the package folder is one of its own, not the project's.</summary>
    [Fact]
    public void NpmInstall_WithDeclaredNetworkAndCache()
    {
        Landlock.Require();
        var cache = Path.Combine(env.Root, "npm-cache");
        var project = new TestProject(env, "steps-npm")
            .Item("""<SandboxNetwork Include="all" />""")
            .Item("""<SandboxWrite Include="web" />""")
            .Item($"""<SandboxWrite Include="{cache}" />""")
            .File("web/package.json", """{ "name": "web", "version": "1.0.0", "private": true, "dependencies": { "is-number": "7.0.0" } }""")
            .Target($$"""
                <Target Name="Npm" BeforeTargets="Build">
                  <Exec Command="npm install --no-audit --no-fund --cache {{cache}}" WorkingDirectory="web" />
                  <Exec Command="npm ci --no-audit --no-fund --cache {{cache}}" WorkingDirectory="web" />
                  <Exec Command="node -e &quot;console.log('is-number:', require('is-number')(5))&quot;" WorkingDirectory="web" />
                </Target>
                """)
            .Write();

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("is-number: true", result.Output);
        Assert.True(File.Exists(project.Combine("web", "package-lock.json")));
    }

    /// <summary>A local dotnet tool (the repository's tool manifest, restored before the build) runs in a step as it does outside.</summary>
    [Fact]
    public void ADotnetLocalTool_RunsFromTheToolManifest()
    {
        Landlock.Require();
        var project = Committed(new TestProject(env, "steps-dotnet-tool")
            .Target("""
                <Target Name="Tool" AfterTargets="Build">
                  <Exec Command="dotnet tool run minver" />
                  <Exec Command="dotnet minver" />
                </Target>
                """), tag: "2.0.0");
        // The dotnet CLI's tool resolver cache is per user, not per package folder: a private one
        // (DOTNET_CLI_HOME), so it names this run's package folder.
        var cli = new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = Directory.CreateDirectory(Path.Combine(env.Root, "cli-home")).FullName };
        foreach (var args in new[] { new[] { "new", "tool-manifest" }, ["tool", "install", "minver-cli", "--version", "8.0.0"] })
        {
            var setup = project.Dotnet(cli, args);
            Assert.True(setup.Succeeded, setup.ToString());
        }

        var result = project.Build(cli);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(2, result.Output.Split('\n').Count(l => l.Trim() == "2.0.0"));
    }
}
