using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Nono.Build.Tool.Tests;

/// <summary>
/// dotnet nono runs the whole build in the sandbox: what a package's code does in a plain
/// `dotnet build` (the control, first in each test) is denied under `dotnet nono build`.
/// </summary>
[Collection(ProbeListeners.Name)]
public sealed partial class WholeBuildTests(ToolEnvironment env)
{
    /// <summary>The environment of a build that may use the compiler server and keep its nodes, as a developer's would.</summary>
    private static readonly Dictionary<string, string?> ServersOn = new() { ["UseSharedCompilation"] = null, ["MSBUILDDISABLENODEREUSE"] = null };

    [Fact]
    public void APlainRestoreAndDotnetNonosRestore_KeepEachOthersNoOp()
    {
        Landlock.Require();
        var repo = env.NewRepository("no-op", ["App"], []);
        var app = Path.Combine(repo, "App");
        var plain = env.Dotnet(app, null, "build", "-nologo", "-tl:off");
        Assert.True(plain.Succeeded, plain.ToString());
        var assets = Path.Combine(app, "obj", "project.assets.json");
        var restored = File.GetLastWriteTimeUtc(assets);

        // Started in the repository's root: the item counts from App/ all the same.
        var sandboxed = env.Nono(repo, null, "build", Path.Combine("App", "App.csproj"), "-nologo", "-tl:off");
        var plainAgain = env.Dotnet(app, null, "build", "-nologo", "-tl:off");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.Contains("All projects are up-to-date for restore.", sandboxed.Output);
        Assert.Contains("All projects are up-to-date for restore.", plainAgain.Output);
        Assert.Equal(restored, File.GetLastWriteTimeUtc(assets));
        // The CLI's first-use workload check does not run in the build's new HOME (it warned on every build).
        Assert.DoesNotContain("An issue was encountered verifying workloads", sandboxed.Output);
    }

    [Fact]
    public void RestoreRunsBesideTheBuild_WhichRunsAgainAfterIt_WhereRestoreChangedWhatItReads()
    {
        Landlock.Require();
        var repo = env.NewRepository("restore-beside", ["App"], []);
        var app = Path.Combine(repo, "App");
        var first = env.Nono(app, null, "build", "-nologo", "-tl:off");
        Assert.True(first.Succeeded, first.ToString());
        var project = Path.Combine(app, "App.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("<ItemGroup>", $"<ItemGroup><PackageReference Include=\"{ToolEnvironment.TaskProbeId}\" Version=\"1.0.0\" />", StringComparison.Ordinal));

        var changed = env.Nono(app, null, "build", "-nologo", "-tl:off");
        var unchanged = env.Nono(app, null, "build", "-nologo", "-tl:off");

        Assert.True(changed.Succeeded, changed.ToString());
        Assert.Contains("dotnet nono: restore, which ran beside build, changed what it reads", changed.Output);
        Assert.Contains(ToolEnvironment.TaskProbeId, File.ReadAllText(Path.Combine(app, "obj", "project.assets.json")), StringComparison.OrdinalIgnoreCase);
        Assert.True(unchanged.Succeeded, unchanged.ToString());
        Assert.Contains("All projects are up-to-date for restore.", unchanged.Output);
        Assert.DoesNotContain("runs again", unchanged.Output);
    }

    [Fact]
    public void PackAndPublish_WriteTheFolderTheCommandLineNames_ButNotWhereTheNextBuildsPolicyIsRead()
    {
        Landlock.Require();
        var repo = env.NewRepository("output", ["App"], []);
        var app = Path.Combine(repo, "App");
        var outside = Path.Combine(env.Root, $"published-{Guid.NewGuid():N}");

        var packed = env.Nono(repo, null, "pack", app, "-o", "artifacts/packages", "-bl", "-nologo", "-tl:off");
        var published = env.Nono(app, null, "publish", "-o", outside, "-nologo", "-tl:off");
        var refused = env.Nono(repo, null, "pack", app, "-o", "nupkgs", "-nologo", "-tl:off");

        Assert.True(packed.Succeeded, packed.ToString());
        Assert.True(File.Exists(Path.Combine(repo, "artifacts", "packages", "App.1.0.0.nupkg")), packed.ToString());
        Assert.True(new FileInfo(Path.Combine(repo, "msbuild.binlog")) is { Exists: true, Length: > 0 }, "the binary log -bl asks for: " + packed);
        Assert.True(published.Succeeded, published.ToString());
        Assert.True(File.Exists(Path.Combine(outside, "App.dll")), published.ToString());
        // A Directory.Build.props the build planted there would be the next build's policy.
        Assert.False(refused.Succeeded, refused.ToString());
        Assert.Contains($"dotnet nono: warning NONO4003: '{Path.Combine(repo, "nupkgs")}', which the command line names as an output, is not made writable: dotnet nono reads the next build's policy", refused.Output);
        Assert.Contains($"Access to the path '{Path.Combine(repo, "nupkgs")}", refused.Output);
    }

    [Fact]
    public void ARelativeSandboxWrite_CountsFromItsProject_AndAFailedBuild_NamesTheItemItsOutputPointsAt()
    {
        Landlock.Require();
        var repo = env.NewRepository("hints", ["App"], []);
        var app = Path.Combine(repo, "App");
        var outside = Directory.CreateDirectory(Path.Combine(env.Root, $"outside-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(outside, "input.txt"), "data");
        var project = Path.Combine(app, "App.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", $"""
              <ItemGroup><SandboxWrite Include="ClientApp/node_modules" /></ItemGroup>
              <Target Name="Steps" AfterTargets="Build">
                <Exec Command="mkdir -p ClientApp/node_modules &amp;&amp; echo made &gt; ClientApp/node_modules/made.txt" />
                <Exec Command="cat {outside}/input.txt" />
              </Target>
            </Project>
            """));

        var plain = env.Dotnet(app, null, "build", "-nologo", "-tl:off");
        Assert.True(plain.Succeeded, "control: " + plain);
        Directory.Delete(Path.Combine(app, "ClientApp"), recursive: true);
        // Started in the repository's root: the item counts from App/ all the same.
        var sandboxed = env.Nono(repo, null, "build", Path.Combine("App", "App.csproj"), "-nologo", "-tl:off");

        Assert.False(sandboxed.Succeeded, sandboxed.ToString());
        Assert.True(File.Exists(Path.Combine(app, "ClientApp", "node_modules", "made.txt")), sandboxed.ToString());
        Assert.False(Directory.Exists(Path.Combine(repo, "ClientApp")), "the item was taken from the folder dotnet nono started in");
        Assert.Contains($"dotnet nono: NONO3004: the build's output shows 'Permission denied' for '{outside}/input.txt', which the sandbox may have denied. If the build reads it, add <SandboxRead Include=\"{env.Root}", sandboxed.Output);
        Assert.Contains("dotnet nono: NONO3001: the build ran in the sandbox;", sandboxed.Output);
        Assert.DoesNotContain("output.log", sandboxed.Output);
    }

    [Fact]
    public void APackagesInlineTaskAndToolTask_ReadTheSecretWriteSourcesAndConnect_InAPlainBuild_ButNotUnderDotnetNono()
    {
        Landlock.Require();
        var repo = env.NewRepository("tasks", ["App"], [ToolEnvironment.TaskProbeId]);
        var app = Path.Combine(repo, "App");
        var planted = Path.Combine(app, "planted-by-package.txt");

        var plain = env.Dotnet(app, null, "build", "-nologo", "-tl:off");
        Assert.True(plain.Succeeded, plain.ToString());
        Assert.Contains($"NONO-PROBE secret={env.SecretContent}", plain.Output);
        Assert.True(Regex.Matches(plain.Output, env.SecretContent).Count >= 2, "control: the plain build's ToolTask printed the secret too: " + plain);
        Assert.Contains("NONO-PROBE write-source: ok", plain.Output);
        Assert.Contains("NONO-PROBE tcp: ok", plain.Output);
        Assert.Contains($"NONO-PROBE unix {env.UnixSocketPath}: ok", plain.Output);
        Assert.Contains("NONO-PROBE listen-tmp: ok", plain.Output);
        Assert.True(File.Exists(planted), "control: the plain build's package wrote the source tree");
        Assert.True(ToolEnvironment.Reached(env.TcpListener) && ToolEnvironment.Reached(env.UnixListener), "control: the plain build's package connected");
        File.Delete(planted);
        Directory.Delete(Path.Combine(app, "obj"), recursive: true);
        Directory.Delete(Path.Combine(app, "bin"), recursive: true);

        // Started in the repository's root: the item counts from App/ all the same.
        var sandboxed = env.Nono(repo, null, "build", Path.Combine("App", "App.csproj"), "-nologo", "-tl:off");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.DoesNotContain(env.SecretContent, sandboxed.Output);
        Assert.Contains("NONO-PROBE read-secret: UnauthorizedAccessException", sandboxed.Output);
        Assert.Contains("NONO-PROBE write-source: UnauthorizedAccessException", sandboxed.Output);
        Assert.Contains("NONO-PROBE tcp: SocketException", sandboxed.Output);
        Assert.Contains($"NONO-PROBE unix {env.UnixSocketPath}: SocketException", sandboxed.Output);
        Assert.Contains("NONO-PROBE listen-tmp: SocketException", sandboxed.Output);
        Assert.Matches("NONO-PROBE tooltask exit [1-9]", sandboxed.Output);
        Assert.False(File.Exists(planted), "a package wrote the source tree under dotnet nono");
        Assert.False(ToolEnvironment.Reached(env.TcpListener), "a package connected to TCP under dotnet nono");
        Assert.False(ToolEnvironment.Reached(env.UnixListener), "a package connected to a Unix socket outside under dotnet nono");
    }

    [Fact]
    public void APackagesCompiledTaskAssembly_ReadsTheSecretWritesSourcesAndConnects_InAPlainBuild_ButNotUnderDotnetNono()
    {
        Landlock.Require();
        var repo = env.NewRepository("compiled", ["App"], [ToolEnvironment.CompiledTaskProbeId]);
        var app = Path.Combine(repo, "App");
        var planted = Path.Combine(app, "planted-by-compiled-task.txt");

        var plain = env.Dotnet(app, null, "build", "-nologo", "-tl:off");
        Assert.True(plain.Succeeded, plain.ToString());
        Assert.Contains($"NONO-PROBE compiled secret={env.SecretContent}", plain.Output);
        Assert.Contains("NONO-PROBE compiled write-source: ok", plain.Output);
        Assert.Contains("NONO-PROBE compiled tcp: ok", plain.Output);
        Assert.True(File.Exists(planted) && ToolEnvironment.Reached(env.TcpListener), "control: the plain build's task wrote the source tree and connected");
        File.Delete(planted);
        Directory.Delete(Path.Combine(app, "obj"), recursive: true);
        Directory.Delete(Path.Combine(app, "bin"), recursive: true);

        // Started in the repository's root: the item counts from App/ all the same.
        var sandboxed = env.Nono(repo, null, "build", Path.Combine("App", "App.csproj"), "-nologo", "-tl:off");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.DoesNotContain(env.SecretContent, sandboxed.Output);
        Assert.Contains("NONO-PROBE compiled read-secret: UnauthorizedAccessException", sandboxed.Output);
        Assert.Contains("NONO-PROBE compiled write-source: UnauthorizedAccessException", sandboxed.Output);
        Assert.Contains("NONO-PROBE compiled tcp: SocketException", sandboxed.Output);
        Assert.False(File.Exists(planted));
        Assert.False(ToolEnvironment.Reached(env.TcpListener));
    }

    [Fact]
    public void APropertyFunction_ReadsTheSecretAtEvaluation_InAPlainBuild_ButNotUnderDotnetNono_AndRestoreDoesNotImportIt()
    {
        Landlock.Require();
        var repo = env.NewRepository("evaluation", ["App"], [ToolEnvironment.EvaluationProbeId]);
        var app = Path.Combine(repo, "App");

        var plain = env.Dotnet(app, null, "build", "-nologo", "-tl:off");
        Assert.True(plain.Succeeded, plain.ToString());
        Assert.Contains($"NONO-PROBE evaluated secret={env.SecretContent}", plain.Output);
        Directory.Delete(Path.Combine(app, "obj"), recursive: true);
        Directory.Delete(Path.Combine(app, "bin"), recursive: true);

        // Started in the repository's root: the item counts from App/ all the same.
        var sandboxed = env.Nono(repo, null, "build", Path.Combine("App", "App.csproj"), "-nologo", "-tl:off");

        Assert.False(sandboxed.Succeeded, "the evaluation's read must fail the build: " + sandboxed);
        Assert.DoesNotContain(env.SecretContent, sandboxed.Output);
        Assert.Contains("MSB4184", sandboxed.Output); // the property function threw
        Assert.Contains("Access to the path", sandboxed.Output);
        // Restore ran first, in a sandbox that denies the secret too, and completed: it wrote the
        // assets file, which it does only after evaluating the project, so its evaluation did not
        // import the package's props (ExcludeRestorePackageImports); the build's did, and failed.
        Assert.True(File.Exists(Path.Combine(app, "obj", "project.assets.json")), "restore evaluated the package's props: " + sandboxed);
    }

    [Fact]
    public void ASourceGenerator_ReadsTheSecretInTheCompilerServer_InAPlainBuild_ButNotUnderDotnetNono()
    {
        Landlock.Require();
        var repo = env.NewRepository("generator", ["App"], [ToolEnvironment.GeneratorProbeId]);
        var app = Path.Combine(repo, "App");
        var before = LeftRunning().Compiler;

        var plain = env.Dotnet(app, ServersOn, "build", "-nologo", "-tl:off", "-nodeReuse:false");
        Assert.True(plain.Succeeded, plain.ToString());
        Assert.Contains($"NONO-PROBE generator read {env.SecretContent}", plain.Output);
        if (LeftRunning().Compiler is { } started && started.Pid != before?.Pid)
            Kill(started.Pid); // the plain control's compiler server, which this test started
        Directory.Delete(Path.Combine(app, "obj"), recursive: true);
        Directory.Delete(Path.Combine(app, "bin"), recursive: true);

        var sandboxed = env.Nono(app, ServersOn, "build", "-nologo", "-tl:off", "-v:d");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.DoesNotContain(env.SecretContent, sandboxed.Output);
        Assert.Contains("NONO-PROBE generator denied UnauthorizedAccessException", sandboxed.Output);
        Assert.Contains("CompilerServer: server - server processed compilation", sandboxed.Output);
    }

    [Fact]
    public void TwoProjectsWithM2_UseMSBuildNodesAndTheCompilerServer_InsideTheSandbox_AndLeaveNoneRunning()
    {
        Landlock.Require();
        var repo = env.NewRepository("m2", ["One", "Two"], []);

        var sandboxed = env.Nono(repo, ServersOn, "build", "All.slnx", "-m:2", "-nologo", "-tl:off", "-v:d");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.Equal(2, Regex.Matches(sandboxed.Output, "CompilerServer: server - server processed compilation").Count);
        Assert.Matches(@"on node 2", sandboxed.Output);
        var pipe = Regex.Match(sandboxed.Output, @"SharedCompilationId=(nono-[0-9a-f]{32})").Groups[1].Value;
        Assert.NotEmpty(pipe);
        Assert.Empty(ProcessesWhoseCommandLineHas(pipe));
        Assert.False(File.Exists(Path.Combine("/tmp", pipe)), "the compiler server's pipe was left behind");
    }

    [Fact]
    public void AnMSBuildNodeAndACompilerServer_LeftRunningByAPlainBuild_AreNotReachedFromInsideDotnetNono()
    {
        Landlock.Require();
        var earlier = env.NewRepository("earlier", ["One", "Two"], []);
        var before = LeftRunning();
        var plainServers = env.Dotnet(earlier, ServersOn, "build", "All.slnx", "-m:2", "-nodeReuse:true", "-nologo", "-tl:off");
        Assert.True(plainServers.Succeeded, plainServers.ToString());
        var left = LeftRunning();
        // Only what this test's plain build started is stopped at the end.
        var started = left.Nodes.Except(before.Nodes).Append(left.Compiler is { } c && c.Pid != before.Compiler?.Pid ? c.Pid : 0).Where(p => p > 0).ToList();
        try
        {
            Assert.True(left.Compiler is not null, "control: the plain build left a compiler server running");
            Assert.True(left.Nodes.Count > 0, "control: the plain build left an MSBuild node running");
            var sockets = string.Join("|", left.Nodes.Select(n => $"/tmp/MSBuild{n}").Append($"/tmp/{left.Compiler!.Value.Pipe}"));
            var repo = env.NewRepository("later", ["App"], [ToolEnvironment.TaskProbeId]);
            var app = Path.Combine(repo, "App");

            var sandboxed = env.Nono(app, ServersOn, "build", "-nologo", "-tl:off", "-v:d", $"-p:NonoProbeSockets={sockets}");

            Assert.True(sandboxed.Succeeded, sandboxed.ToString());
            foreach (var socket in sockets.Split('|'))
                Assert.Contains($"NONO-PROBE unix {socket}: SocketException", sandboxed.Output);
            Assert.Contains("CompilerServer: server - server processed compilation", sandboxed.Output); // its own server
            Assert.DoesNotContain(left.Compiler!.Value.Pipe, Regex.Match(sandboxed.Output, "Attempt to connect named pipe '([^']*)'").Groups[1].Value);
            Assert.True(Alive(left.Compiler.Value.Pid) && left.Nodes.All(Alive), "the earlier build's servers must be left alone");

            // The control, last: a plain build's task reaches them (an MSBuild node may then end
            // on the handshake it does not get).
            Directory.Delete(Path.Combine(app, "obj"), recursive: true);
            Directory.Delete(Path.Combine(app, "bin"), recursive: true);
            var plain = env.Dotnet(app, null, "build", "-nologo", "-tl:off", $"-p:NonoProbeSockets={sockets}");
            Assert.True(plain.Succeeded, plain.ToString());
            foreach (var socket in sockets.Split('|'))
                Assert.Contains($"NONO-PROBE unix {socket}: ok", plain.Output);
        }
        finally
        {
            foreach (var pid in started)
                Kill(pid);
        }
    }

    [Fact]
    public void DotnetTest_OfAnXunitProject_RunsItsTestHostInsideTheSandbox()
    {
        Landlock.Require();
        var repo = env.NewRepository("xunit", ["Tests"], ["Microsoft.NET.Test.Sdk", "xunit", "xunit.runner.visualstudio"], withNuGetOrg: true);
        var tests = Path.Combine(repo, "Tests");
        File.WriteAllText(Path.Combine(tests, "SecretTests.cs"), $$"""
            namespace Tests;
            public class SecretTests
            {
                [Xunit.Fact]
                public void TheSecretCannotBeRead() =>
                    Xunit.Assert.Throws<System.UnauthorizedAccessException>(() => System.IO.File.ReadAllText("{{env.SecretFile}}"));
            }
            """);

        var plain = env.Dotnet(tests, null, "test", "-nologo", "-tl:off");
        Assert.False(plain.Succeeded, "control: a plain test host reads the secret, so the test fails: " + plain);
        Assert.Contains("TheSecretCannotBeRead", plain.Output);
        Directory.Delete(Path.Combine(tests, "obj"), recursive: true);
        Directory.Delete(Path.Combine(tests, "bin"), recursive: true);

        var sandboxed = env.Nono(tests, null, "test", "-nologo", "-tl:off");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+1", sandboxed.Output);
    }

    [Fact]
    public void DotnetTest_UnderMicrosoftTestingPlatform_ReachesItsTestApplicationOverItsTmpPipe_AndLeavesNoPipeBehind()
    {
        Landlock.Require();
        var repo = env.NewRepository("mtp", ["Tests"], [], withNuGetOrg: true);
        var tests = Path.Combine(repo, "Tests");
        File.WriteAllText(Path.Combine(repo, "global.json"), """{ "test": { "runner": "Microsoft.Testing.Platform" } }""");
        File.WriteAllText(Path.Combine(tests, "Tests.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Exe</OutputType>
                <EnableMSTestRunner>true</EnableMSTestRunner>
              </PropertyGroup>
              <ItemGroup><PackageReference Include="MSTest" Version="4.0.2" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(tests, "SecretTests.cs"), $$"""
            namespace Tests;
            [Microsoft.VisualStudio.TestTools.UnitTesting.TestClass]
            public class SecretTests
            {
                [Microsoft.VisualStudio.TestTools.UnitTesting.TestMethod]
                public void TheSecretCannotBeRead() =>
                    Microsoft.VisualStudio.TestTools.UnitTesting.Assert.ThrowsExactly<System.UnauthorizedAccessException>(() => System.IO.File.ReadAllText("{{env.SecretFile}}"));
            }
            """);
        string[] RandomPipes() => Directory.EnumerateFiles("/tmp").Where(f => Regex.IsMatch(Path.GetFileName(f), "^[0-9a-f]{32}$")).ToArray();

        var plain = env.Dotnet(repo, null, "test", "--project", "Tests/Tests.csproj");
        Assert.False(plain.Succeeded, "control: a plain test application reads the secret, so the test fails: " + plain);
        Assert.Contains("TheSecretCannotBeRead", plain.Output);
        Directory.Delete(Path.Combine(tests, "obj"), recursive: true);
        Directory.Delete(Path.Combine(tests, "bin"), recursive: true);
        var before = RandomPipes();
        // Another program's pipe of that form, live while the build runs: the tool's cleanup keeps it.
        var live = $"/tmp/{Guid.NewGuid():N}";
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(live));
        listener.Listen();

        var sandboxed = env.Nono(repo, null, "test", "--project", "Tests/Tests.csproj");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.Matches(@"succeeded:\s+1", sandboxed.Output);
        Assert.Equal([live], RandomPipes().Except(before));
        listener.Dispose();
        File.Delete(live);
    }

    private readonly record struct CompilerServer(int Pid, string Pipe);

    /// <summary>The MSBuild nodes and the compiler server of this user's builds still running.</summary>
    private static (List<int> Nodes, CompilerServer? Compiler) LeftRunning()
    {
        var nodes = new List<int>();
        CompilerServer? compiler = null;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            if (commandLine.Contains("/nodemode:1", StringComparison.OrdinalIgnoreCase) && commandLine.Contains("/nodeReuse:true", StringComparison.OrdinalIgnoreCase))
                nodes.Add(pid);
            else if (Regex.Match(commandLine, @"VBCSCompiler.* -pipename:(\S+)") is { Success: true } m && !m.Groups[1].Value.StartsWith("nono-", StringComparison.Ordinal))
                compiler = new CompilerServer(pid, m.Groups[1].Value);
        }
        return (nodes, compiler);
    }

    private static List<int> ProcessesWhoseCommandLineHas(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Where(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Contains(text, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");

    private static void Kill(int pid)
    {
        try
        {
            Process.GetProcessById(pid).Kill();
        }
        catch (ArgumentException)
        {
        }
    }
}
