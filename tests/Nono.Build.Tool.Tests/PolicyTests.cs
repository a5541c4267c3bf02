namespace Nono.Build.Tool.Tests;

/// <summary>The whole-build policy, computed from a repository's files without building it.</summary>
public sealed class PolicyTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nono-tool-policy-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void SandboxItems_AreReadAsWritten_WithTheFilesFolderAndTheEnvironmentExpanded_AndOthersLeftOutWithNONO4001()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        Write("App/App.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <SandboxRead Include="$(MSBuildProjectDirectory)/tools" Execute="true" />
                <SandboxWrite Include="$(HOME)/.cache/thing;$(MSBuildThisFileDirectory)generated" />
                <SandboxWrite Include="ClientApp/node_modules" />
                <SandboxNetwork Include="443" />
                <SandboxRead Include="$(SomeProperty)/x" />
              </ItemGroup>
            </Project>
            """);
        Write("src/Lib/Lib.csproj", "<Project />");
        Write("Directory.Build.props", """<Project><ItemGroup><SandboxEnvironment Include="MY_TOKEN" /></ItemGroup></Project>""");
        Write("src/Directory.Build.props", """<Project><ItemGroup><SandboxRead Include="schemas;$(MSBuildProjectDirectory)/../shared" /></ItemGroup></Project>""");
        // A nearer Directory.Build.props that does not import the one above: src/'s items are not Other's;
        // one that does (as the docs show it) keeps them.
        Write("src/Other/Other.csproj", "<Project />");
        Write("src/Other/Directory.Build.props", "<Project />");
        Write("src/Chained/Chained.csproj", "<Project />");
        Write("src/Chained/Directory.Build.props", """<Project><Import Project="$([MSBuild]::GetPathOfFileAbove('Directory.Build.props', '$(MSBuildThisFileDirectory)../'))" /></Project>""");
        Write("src/Relative/Relative.csproj", "<Project />");
        Write("src/Relative/Directory.Build.props", """<Project><Import Project="../Directory.Build.props" /></Project>""");
        var warnings = new List<string>();

        var items = Repository.Find(Path.Combine(root, "App")).SandboxItems(warnings.Add);

        var home = Environment.GetEnvironmentVariable("HOME");
        Assert.Contains(items, i => i.Type == "SandboxRead" && i.Value == Path.Combine(root, "App") + "/tools" && i.Execute);
        Assert.Contains(items, i => i.Type == "SandboxWrite" && i.Value == $"{home}/.cache/thing");
        Assert.Contains(items, i => i.Type == "SandboxWrite" && i.Value == Path.Combine(root, "App") + "/generated");
        // Relative, as MSBuild evaluates it: from the folder of each project that reads the item.
        Assert.Contains(items, i => i.Type == "SandboxWrite" && i.Value == Path.Combine(root, "App", "ClientApp", "node_modules"));
        Assert.Equal(
            new[] { "Chained", "Lib", "Relative" }.Select(p => Path.Combine(root, "src", p, "schemas")).Append(Path.Combine(root, "src", "shared")).Order(),
            items.Where(i => i.Source.StartsWith(Path.Combine(root, "src", "Directory.Build.props"), StringComparison.Ordinal)).Select(i => i.Value).Order());
        Assert.Contains(items, i => i.Type == "SandboxNetwork" && i.Value == "443");
        Assert.Contains(items, i => i.Type == "SandboxEnvironment" && i.Value == "MY_TOKEN");
        Assert.DoesNotContain(items, i => i.Value.Contains("/x", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("NONO4001", StringComparison.Ordinal) && w.Contains("$(SomeProperty)/x", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_GetsTheTargetPropertiesRuntimeAndSources_NotTheCommandsOwnOptions()
    {
        var project = Write("App/App.csproj", "<Project />");

        var kept = WholeBuild.RestoreArguments([project, "-c", "Release", "--filter", "Category=Slow", "-p:Flavor=Blue", "-r", "linux-x64", "--logger", "trx", "-v", "q"]);

        Assert.Equal([project, "-p:Configuration=Release", "-p:Flavor=Blue", "-r", "linux-x64", "-v", "q"], kept);
    }

    [Fact]
    public void TheBuildWritesOnlyItsProjectsOutputs_AndReadsThePackageFolder_WhileRestoreWritesItAndReachesOnlyTheFeedsHostsThroughTheProxy()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        Write("App/App.csproj", "<Project />");
        Write("Lib/Lib.csproj", "<Project />");
        Write("nuget.config", """<configuration><packageSources><clear /><add key="a" value="https://feed.example:8443/v3/index.json" /></packageSources></configuration>""");
        var packages = Directory.CreateDirectory(Path.Combine(root, "..", Path.GetFileName(root) + "-packages")).FullName;
        try
        {
            var machine = new Machine("/usr/bin/dotnet", "/usr/share/dotnet", packages, packages, null, null);
            var repository = Repository.Find(root);

            var build = BuildPolicy.For(BuildPolicy.Phase.Build, repository, machine, Directory.CreateDirectory(Path.Combine(root, "..", Path.GetFileName(root) + "-build")).FullName, test: false, null).AllLauncherOptions();
            using var proxy = new Nono.Egress.EgressProxy();
            var restorePolicy = BuildPolicy.For(BuildPolicy.Phase.Restore, repository, machine, Directory.CreateDirectory(Path.Combine(root, "..", Path.GetFileName(root) + "-restore")).FullName, test: false, root, proxy);
            var restore = restorePolicy.AllLauncherOptions();

            string Line(IReadOnlyList<string> options, string path) =>
                string.Join(",", Enumerable.Range(0, options.Count - 1).Where(i => options[i + 1] == path).Select(i => options[i]));
            Assert.Equal("--rw", Line(build, Path.Combine(root, "App", "obj")));
            Assert.Equal("--rw", Line(build, Path.Combine(root, "Lib", "bin")));
            Assert.Equal("--rox", Line(build, root));
            Assert.Equal("--rox", Line(build, packages));
            Assert.DoesNotContain("--connect-tcp", build);
            Assert.Contains("--unix-own", build);
            Assert.Equal("--rw", Line(restore, packages));
            Assert.Equal("", Line(restore, Path.Combine(root, "App", "bin")));
            Assert.Equal("--connect-tcp-addr", Line(restore, $"127.0.0.1:{proxy.Port}"));
            Assert.DoesNotContain("--connect-tcp", restore);
            Assert.DoesNotContain("--allow-udp", restore);
            Assert.Equal(["feed.example:8443"], restorePolicy.Egress!.Allowed.Select(p => p.ToString()));
            Assert.StartsWith("http://nono:", restorePolicy.Environment["HTTPS_PROXY"]);
        }
        finally
        {
            foreach (var suffix in new[] { "-packages", "-build", "-restore" })
                Directory.Delete(Path.Combine(root, "..", Path.GetFileName(root) + suffix), recursive: true);
        }
    }

    [Fact]
    public void RestoreKeepsTheFeedsCredentials_WhichTheBuildPhaseDoesNotGet_WhateverTheirNames()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        Write("App/App.csproj", "<Project />");
        Write("nuget.config", """
            <configuration>
              <packageSources><clear /><add key="a" value="https://feed.example/v3/index.json" /></packageSources>
              <packageSourceCredentials><a><add key="Username" value="u" /><add key="ClearTextPassword" value="%NONO_POLICY_FEED_PASS%" /></a></packageSourceCredentials>
            </configuration>
            """);
        // A name no secret word gives away, NuGet's own, and a secret restore does not need.
        var variables = new[] { "NONO_POLICY_FEED_PASS", "NuGetPackageSourceCredentials_a", "NONO_POLICY_OTHER_TOKEN" };
        foreach (var name in variables)
            Environment.SetEnvironmentVariable(name, "secret");
        try
        {
            var machine = new Machine("/usr/bin/dotnet", "/usr/share/dotnet", Path.Combine(root, "packages"), Path.Combine(root, "packages"), null, null);
            var repository = Repository.Find(root);
            using var proxy = new Nono.Egress.EgressProxy();

            var restore = BuildPolicy.For(BuildPolicy.Phase.Restore, repository, machine, Directory.CreateDirectory(Path.Combine(root, "restore")).FullName, test: false, root, proxy);
            var build = BuildPolicy.For(BuildPolicy.Phase.Build, repository, machine, Directory.CreateDirectory(Path.Combine(root, "build")).FullName, test: false, null);

            // Absent from the changes: the variable keeps the user's value. Null: it is removed.
            Assert.False(restore.Environment.ContainsKey("NONO_POLICY_FEED_PASS"));
            Assert.False(restore.Environment.ContainsKey("NuGetPackageSourceCredentials_a"));
            Assert.Null(restore.Environment["NONO_POLICY_OTHER_TOKEN"]);
            foreach (var name in variables)
                Assert.Null(build.Environment[name]);
        }
        finally
        {
            foreach (var name in variables)
                Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void TheCommandLinesOutputFolders_AreTheBuilds_OutsideWhereThePolicyIsReadAndWhatTheBuildMustNotWrite()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        Write("App/App.csproj", "<Project />");
        Write("Lib/Lib.csproj", "<Project />");
        Write("App/obj/App.csproj.nuget.g.props", "<Project />");
        var app = Path.Combine(root, "App");
        var lib = Path.Combine(root, "Lib");
        var outside = root + "-outside";
        var repository = Repository.Find(app);
        List<(string Folder, string? Risk)> Folders(params string[] args) => CommandLineOutputs.Folders(args, app, repository, "/home/u").ToList();
        string Risk(params string[] args) => Assert.Single(Folders(args)).Risk ?? "(none)";

        // Options relative to the working directory, properties to each project; under bin/ or
        // artifacts/, or outside the repository.
        Assert.Equal(
            new (string, string?)[] { (Path.Combine(app, "bin", "out"), null), ($"{outside}/art", null), (Path.Combine(root, "artifacts", "tr"), null), (Path.Combine(root, "artifacts", "nupkgs"), null), (Path.Combine(app, "bin", "pub"), null), (Path.Combine(lib, "bin", "pub"), null) }.Order(),
            Folders("pack", "-o", "bin/out", $"--artifacts-path={outside}/art", "--results-directory", "../artifacts/tr", "-p:PackageOutputPath=../artifacts/nupkgs", "/p:PublishDir=bin/pub/", "--", "-o", "x").Order());
        Assert.Empty(Folders("build", "-c", "Release", "-p:Version=1.0.0", "-p:OutDir=$(Foo)/"));
        // Where the next build's policy is read: a planted Directory.Build.props there would change it.
        Assert.StartsWith("dotnet nono reads the next build's policy", Risk("pack", "-o", "../nupkgs"));
        Assert.StartsWith("dotnet nono reads the next build's policy", Risk("pack", "-o", "."));
        Assert.StartsWith($"it holds the repository ({root})", Risk("publish", "-o", ".."));
        Assert.StartsWith($"it holds the repository ({root})", Risk("publish", "-o", "/"));
        Assert.StartsWith("it holds the home folder (/home/u)", Risk("publish", "--output:/home/u"));
        Assert.StartsWith("'/home/u/.ssh' holds secrets", Risk("publish", "-o", "/home/u/.ssh/x"));
        Assert.Contains("is the project's obj/ folder", Risk("build", "-o", "obj"));
        Assert.StartsWith("git runs what", Risk("build", "-o", "../.git"));
        // Through a link an earlier build could have planted in its outputs.
        Directory.CreateDirectory(Path.Combine(root, "artifacts"));
        Directory.CreateSymbolicLink(Path.Combine(root, "artifacts", "link"), "/etc");
        Assert.StartsWith($"it goes through the symlink '{Path.Combine(root, "artifacts", "link")}' (to '/etc')", Risk("pack", "-o", "../artifacts/link/cron.d"));
    }

    [Fact]
    public void ASandboxWriteOfWhatGitOrTheNextBuildRuns_IsRefusedAsForSteps_AndAFolderOfAToolsOwnInGitIsNot()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git", "hooks"));
        Write("App/App.csproj", "<Project />");
        Write("Directory.Build.props", """
            <Project><ItemGroup>
              <SandboxWrite Include="$(MSBuildThisFileDirectory).git/hooks" />
              <SandboxWrite Include="$(MSBuildThisFileDirectory).git/gitversion_cache" />
            </ItemGroup></Project>
            """);
        var packages = Path.Combine(root, "packages");
        var machine = new Machine("/usr/bin/dotnet", "/usr/share/dotnet", packages, packages, null, null);

        var build = BuildPolicy.For(BuildPolicy.Phase.Build, Repository.Find(Path.Combine(root, "App")), machine, Directory.CreateDirectory(Path.Combine(root, "private")).FullName, test: false, null);

        var options = build.AllLauncherOptions();
        Assert.DoesNotContain(Path.Combine(root, ".git", "hooks"), options);
        Assert.Equal("--rw", options[options.ToList().IndexOf(Path.Combine(root, ".git", "gitversion_cache")) - 1]);
        Assert.Contains(build.Notes, n => n.Contains($"warning NONO1001: <SandboxWrite Include=\"{Path.Combine(root, ".git", "hooks")}\" /> is refused: git runs what", StringComparison.Ordinal));
    }

    [Fact]
    public void TheBuildsPrivateHome_GetsACopyOfTheUsersLocalToolRecord_SoThatDotnetToolRunsFindsTheRestoredTools()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        Write("App/App.csproj", "<Project />");
        var record = Write("user/.dotnet/toolResolverCache/1/csharpier", """[{"Version":"1.1.2","Name":"csharpier"}]""");
        var packages = Path.Combine(root, "packages");
        var machine = new Machine("/usr/bin/dotnet", "/usr/share/dotnet", packages, packages, null, null, CliHome: Path.Combine(root, "user"));
        var privateRoot = Directory.CreateDirectory(Path.Combine(root, "private")).FullName;

        var build = BuildPolicy.For(BuildPolicy.Phase.Build, Repository.Find(Path.Combine(root, "App")), machine, privateRoot, test: false, null);

        var copy = Path.Combine(build.Environment["HOME"]!, ".dotnet", "toolResolverCache", "1", "csharpier");
        Assert.StartsWith(privateRoot, copy, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(record), File.ReadAllText(copy));
    }

    [Theory]
    [InlineData("""{ "test": { "runner": "Microsoft.Testing.Platform" } }""", true)]
    [InlineData("{ \"sdk\": { \"version\": \"10.0.100\" }, // comment\n \"test\": { \"runner\": \"VSTest\" }, }", false)]
    [InlineData("""{ "sdk": { "version": "10.0.100" } }""", false)]
    [InlineData("not json", false)]
    public void DotnetTestRunsTheTestingPlatform_AsGlobalJsonAboveTheFolderSays(string globalJson, bool expected)
    {
        Write("global.json", globalJson);
        Assert.Equal(expected, WholeBuild.RunsTestingPlatform(Directory.CreateDirectory(Path.Combine(root, "src", "App")).FullName));
    }

    [Fact]
    public void TheBinaryLogTheCommandLineAsksFor_IsOneFile_NamedAsMSBuildNamesIt()
    {
        string[] args = ["build", "-bl", "/bl:logs/a.binlog;OmitInitialInfo", "\"-binaryLogger:LogFile=b.binlog;ProjectImports=None\"", "--bl:{}.binlog", "-bl:Directory.Build.props", "-p:X=-bl", "/tmp/App.csproj"];

        var logs = CommandLineOutputs.BinaryLogs(args, root, home: null).ToList();

        Assert.Equal([Path.Combine(root, "msbuild.binlog"), Path.Combine(root, "logs", "a.binlog"), Path.Combine(root, "b.binlog"), Path.Combine(root, "{}.binlog"), Path.Combine(root, "Directory.Build.props")], logs.Select(l => l.File));
        Assert.Equal([null, null, null], logs.Take(3).Select(l => l.Risk));
        Assert.Contains("makes up its name", logs[3].Risk, StringComparison.Ordinal);
        Assert.Contains(".binlog", logs[4].Risk, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTarget_IsNeverTheValueOfAnOptionThatTakesNone()
    {
        var artifacts = Directory.CreateDirectory(Path.Combine(root, "artifacts", "packages")).FullName;
        var project = Write("App/App.csproj", "<Project />");

        Assert.Null(WholeBuild.Target(["-bl", "-o", artifacts]));
        Assert.Equal(project, WholeBuild.Target(["-bl", project]));
        Assert.Equal(project, WholeBuild.Target(["-t", project]));
    }

    [Fact]
    public void ARepositoryPlantedInTheOuterOnesOutputs_IsNotTheRoot()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        var planted = Directory.CreateDirectory(Path.Combine(root, "artifacts", "packages")).FullName;
        File.WriteAllText(Path.Combine(planted, ".git"), "");
        var nested = Directory.CreateDirectory(Path.Combine(root, "libs", "sub")).FullName;
        Directory.CreateDirectory(Path.Combine(nested, ".git"));

        Assert.Equal(root, Repository.Find(planted).Root);
        Assert.Equal(nested, Repository.Find(nested).Root);
    }
}
