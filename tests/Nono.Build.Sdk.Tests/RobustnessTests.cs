using System.Globalization;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace Nono.Build.Sdk.Tests;

/// <summary>
/// Sandboxed steps under the conditions real builds meet: a cancelled build, eight projects in
/// parallel, 200 MB of output, output that is not UTF-8, unusual and very long paths, a policy of
/// 10,000 grants. Each test checks what comes out, not only that nothing crashed. That a Timeout
/// ends a step's whole process tree is checked by <see cref="ExecParityTests"/>.
/// </summary>
public sealed partial class RobustnessTests(E2EEnvironment env)
{
    /// <summary>
    /// A step whose tree is a shell, a background child, and a background shell with a child of its
    /// own; it records every pid, then sleeps. The build is cancelled (SIGINT, as `kill -INT`, a CI
    /// runner's cancel or an IDE's stop send it) or, with a worker node, its entry process is
    /// killed outright: MSBuild's own cancellation must end every process of the step, also through
    /// nono-exec, which stays as the step shell's parent.
    /// </summary>
    [Theory]
    [InlineData("INT", false)]
    [InlineData("INT", true)]
    [InlineData("KILL", true)]
    public async Task CancelledBuild_LeavesNoProcessOfTheStepBehind(string signal, bool workerNode)
    {
        Landlock.Require();
        var marker = $"300.{Random.Shared.Next(100000, 999999)}";
        var project = new TestProject(env, "cancel")
            .File("tree.sh", """
                #!/bin/sh
                # $1: where to record the pids, $2: how long to sleep (unique: found again by pgrep).
                sleep "$2" &
                echo "$!" > "$1.part"
                sh -c 'sleep "$1" & echo "$!" >> "$2"; echo "$$" >> "$2"; wait' grandchild "$2" "$1.part" &
                while [ "$(wc -l < "$1.part")" -lt 3 ]; do sleep 0.05; done
                echo "$$" >> "$1.part"
                mv "$1.part" "$1"
                sleep "$2"
                """, executable: true)
            .Target($$"""
                <Target Name="LongStep">
                  <Exec Command="./tree.sh $(IntermediateOutputPath)pids {{marker}}" />
                </Target>
                """)
            .Write();
        var pidFile = project.Combine("obj", "Debug", "net10.0", "pids");
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = env.Packages };
        if (workerNode)
            environment["MSBUILDNOINPROCNODE"] = "1";
        // The build gets SIGINT's default action even if this test process was started with it ignored.
        var build = Task.Run(() => Cli.Run(project.Directory, environment, "env", "--default-signal=INT",
            "dotnet", "msbuild", project.ProjectFile, "-t:LongStep", "-nologo", "-v:n", "-tl:off", "-nodeReuse:false"));

        var step = new List<(int Pid, string Start)>();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!File.Exists(pidFile))
            {
                if (build.IsCompleted)
                    Assert.Fail($"the build ended before the step started:\n{await build}");
                Assert.True(DateTime.UtcNow < deadline, "the step did not start within 120 s");
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            foreach (var pid in File.ReadAllLines(pidFile).Select(int.Parse))
                step.Add((pid, Stat(pid)?.Start ?? "gone"));
            // Up from the step's script: the Exec's shell, nono-exec (its parent, with
            // --kill-leftovers), the MSBuild node running the task, and with a worker node the
            // entry process that started it.
            var stepShell = Stat(step[^1].Pid)!.Value.Parent;
            if (CommandLine(stepShell).Contains(".exec.cmd", StringComparison.Ordinal))
                step.Add((stepShell, Stat(stepShell)?.Start ?? "gone"));
            var node = Ancestors(stepShell).First(p => CommandLine(p).Contains("dotnet", StringComparison.Ordinal));
            var entry = workerNode ? Ancestors(node).First(p => CommandLine(p).Contains("msbuild", StringComparison.Ordinal)) : node;
            Assert.Equal(workerNode, CommandLine(node).Contains("nodemode", StringComparison.OrdinalIgnoreCase));
            Assert.Contains(project.ProjectFile, CommandLine(entry));
            Assert.All(step, s => Assert.True(Alive(s.Pid, s.Start), $"{s.Pid} is not running before the cancel"));

            var kill = Cli.Run(project.Directory, null, "kill", "-s", signal, entry.ToString(CultureInfo.InvariantCulture));
            Assert.True(kill.Succeeded, kill.ToString());
            var result = await build.WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

            Assert.NotEqual(0, result.ExitCode);
            if (signal == "INT")
                Assert.Contains("warning MSB5021", result.Output); // Exec's own "terminating ... because the build was canceled"
            var settled = DateTime.UtcNow.AddSeconds(10);
            while (step.Any(s => Alive(s.Pid, s.Start)) && DateTime.UtcNow < settled)
                await Task.Delay(100, TestContext.Current.CancellationToken);
            var left = step.Where(s => Alive(s.Pid, s.Start)).Select(s => $"{s.Pid}: {CommandLine(s.Pid)}").ToList();
            Assert.True(left.Count == 0, $"processes of the cancelled step are still running:\n{string.Join("\n", left)}");
            var pgrep = Cli.Run(project.Directory, null, "pgrep", "-af", marker);
            Assert.True(pgrep.ExitCode == 1, $"processes of the cancelled step are still running:\n{pgrep.Output}");
        }
        finally
        {
            // A failed run must not leave sleeps behind for the next test.
            foreach (var (pid, start) in step.Where(s => Alive(s.Pid, s.Start)))
                Cli.Run(project.Directory, null, "kill", "-s", "KILL", pid.ToString(CultureInfo.InvariantCulture));
            if (!build.IsCompleted)
                await build.WaitAsync(TimeSpan.FromMinutes(4), CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    /// <summary>
    /// A traversal project builds eight projects with -m:8. Every project's steps resolve and use
    /// its own policy in whichever node builds it (steps yield, so one node may run several): each
    /// writes into its own obj/ and bin/, and the step that tries to write into its neighbour's
    /// obj/ is denied.
    /// </summary>
    [Fact]
    public void EightProjectsInParallel_EachStepConfinedToItsOwnProject()
    {
        Landlock.Require();
        const int count = 8;
        var root = env.NewProjectDirectory("parallel");
        var projects = new List<TestProject>();
        for (var i = 0; i < count; i++)
        {
            var neighbour = $"p{(i + 1) % count}";
            projects.Add(new TestProject(env, $"p{i}", Path.Combine(root, $"p{i}"))
                .Target($$"""
                    <Target Name="Steps">
                      <Exec Command="echo $(MSBuildProjectName) $PPID > $(IntermediateOutputPath)step1.txt" />
                      <Exec Command="date +%25s%25N > $(IntermediateOutputPath)start.txt; sleep 3; date +%25s%25N > $(IntermediateOutputPath)end.txt" YieldDuringToolExecution="true" />
                      <Exec Command="cp $(IntermediateOutputPath)step1.txt $(OutDir)step3.txt" />
                      <Exec Command="echo from-$(MSBuildProjectName) > ../{{neighbour}}/$(IntermediateOutputPath)intruder.txt" ContinueOnError="true" />
                    </Target>
                    """)
                .Write());
        }
        // The neighbour's obj/ exists before any step runs, so a write there can only fail on the sandbox.
        foreach (var p in projects)
            Directory.CreateDirectory(p.Combine("obj", "Debug", "net10.0"));
        // Steps only, no compile: eight C# compilations on two cores would dwarf what is tested here.
        var traversal = Path.Combine(root, "dirs.proj");
        File.WriteAllText(traversal, """
            <Project>
              <ItemGroup>
                <Part Include="p*/*.csproj" />
              </ItemGroup>
              <Target Name="Build">
                <MSBuild Projects="@(Part)" Targets="Steps" BuildInParallel="true" />
              </Target>
            </Project>
            """);

        var result = Cli.Run(root, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = env.Packages },
            "dotnet", "msbuild", traversal, "-m:8", "-nodeReuse:false", "-nologo", "-v:m", "-tl:off");

        Assert.True(result.Succeeded, result.ToString());
        var nodes = new HashSet<string>();
        var windows = new List<(long Start, long End)>();
        for (var i = 0; i < count; i++)
        {
            var p = projects[i];
            var step1 = File.ReadAllText(p.Combine("obj", "Debug", "net10.0", "step1.txt")).Trim().Split(' ');
            Assert.Equal($"p{i}", step1[0]);
            nodes.Add(step1[1]);
            Assert.Equal($"p{i} {step1[1]}", File.ReadAllText(p.Combine("bin", "Debug", "net10.0", "step3.txt")).Trim());
            windows.Add((long.Parse(File.ReadAllText(p.Combine("obj", "Debug", "net10.0", "start.txt")), CultureInfo.InvariantCulture),
                long.Parse(File.ReadAllText(p.Combine("obj", "Debug", "net10.0", "end.txt")), CultureInfo.InvariantCulture)));
            Assert.False(File.Exists(p.Combine("obj", "Debug", "net10.0", "intruder.txt")), $"a step wrote into p{i}'s obj/");
            Assert.Contains($"cannot create ../p{(i + 1) % count}/obj/Debug/net10.0/intruder.txt: Permission denied", result.Output);
        }
        // Really in parallel: in more than one node, and some steps ran at the same time.
        var overlap = windows.Max(w => windows.Count(o => o.Start < w.End && w.Start < o.End));
        TestContext.Current.TestOutputHelper?.WriteLine($"{nodes.Count} MSBuild nodes ran steps; at most {overlap} steps ran at once; {result.Duration.TotalSeconds:F1} s");
        Assert.True(nodes.Count > 1, "every step ran in the same MSBuild node");
        Assert.True(overlap > 1, "no two steps ran at the same time");
    }

    /// <summary>
    /// 200 MB in 2,000,000 numbered lines of 100 bytes on a step's standard output, logged by Exec
    /// (to a file log, so the console is not flooded): every line arrives, once, whole, in order.
    /// </summary>
    [Fact]
    public void TwoHundredMegabytesOfOutput_AllArrive()
    {
        Landlock.Require();
        const int lines = 2_000_000;
        var payload = new string('x', 85);
        var project = new TestProject(env, "flood")
            .File("flood.sh", """
                #!/bin/sh
                # $1 lines of 100 bytes: "line 00000001 xxx…x"
                exec awk -v n="$1" 'BEGIN { p = sprintf("%85s", ""); gsub(/ /, "x", p); for (i = 1; i <= n; i++) printf "line %08d %s\n", i, p }'
                """, executable: true)
            .Target($$"""
                <Target Name="Flood">
                  <Exec Command="./flood.sh {{lines}}" StandardOutputImportance="normal" />
                </Target>
                """)
            .Write();
        var log = Path.Combine(env.Root, $"flood-{Guid.NewGuid():N}.log");

        var result = project.MSBuild("-t:Flood", "-noconlog", $"-flp:logfile={log};verbosity=normal");

        try
        {
            Assert.True(result.Succeeded, result.ToString());
            var expected = 1;
            var logged = 0;
            using (var reader = new StreamReader(log, Encoding.UTF8))
            {
                for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
                {
                    var text = line.TrimStart();
                    if (!text.StartsWith("line ", StringComparison.Ordinal))
                        continue;
                    Assert.Equal($"line {expected:D8} {payload}", text);
                    expected++;
                    logged++;
                }
            }
            Assert.Equal(lines, logged);
            TestContext.Current.TestOutputHelper?.WriteLine($"{lines} lines ({lines * 100L / 1_000_000} MB) through a sandboxed Exec in {result.Duration.TotalSeconds:F1} s; log {new FileInfo(log).Length / 1_000_000} MB");
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>
    /// Bytes that are not UTF-8 (0xFF 0xFE, Latin-1 'é', a lone 0xC0) on standard output and error:
    /// the build goes on, the lines around them are all there, valid UTF-8 next to them stays intact,
    /// and what the build logs and captures is exactly what stock Exec logs and captures.
    /// </summary>
    [Fact]
    public void OutputThatIsNotUtf8_ReadsExactlyAsStockExecReadsIt()
    {
        Landlock.Require();
        var project = new TestProject(env, "encoding")
            .Target("""
                <Target Name="Encoding">
                  <Exec Command="printf 'out-before\n\377\376 out-invalid \351t\351 \300\n\303\251t\303\251 out-utf8\nout-after\n'" ConsoleToMSBuild="true">
                    <Output TaskParameter="ConsoleOutput" ItemName="E2EOut" />
                  </Exec>
                  <Exec Command="printf 'err-before\n\377\376 err-invalid \351t\351\nerr-after\n' 1>&amp;2" ConsoleToMSBuild="true">
                    <Output TaskParameter="ConsoleOutput" ItemName="E2EErr" />
                  </Exec>
                  <WriteLinesToFile File="$(IntermediateOutputPath)captured-$(SandboxEnabled).txt" Lines="@(E2EOut);@(E2EErr)" Overwrite="true" />
                </Target>
                """)
            .Write();

        var sandboxed = project.MSBuild("-t:Encoding");
        var stock = project.MSBuild("-t:Encoding", "-p:SandboxEnabled=false");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.True(stock.Succeeded, stock.ToString());
        Assert.Contains(" scrubbed (" + project.ProjectFile + ")", sandboxed.Output);
        Assert.DoesNotContain("sandbox: ", stock.Output);
        string[] expected =
        [
            "out-before", "\uFFFD\uFFFD out-invalid \uFFFDt\uFFFD \uFFFD", "été out-utf8", "out-after",
            "err-before", "\uFFFD\uFFFD err-invalid \uFFFDt\uFFFD", "err-after",
        ];
        static string[] Logged(CliResult r) => r.Output.Split('\n')
            .Where(l => !l.Contains("printf", StringComparison.Ordinal) && (l.Contains("out-", StringComparison.Ordinal) || l.Contains("err-", StringComparison.Ordinal)))
            .Select(l => l.Trim()).ToArray();
        Assert.Equal(expected, Logged(sandboxed));
        Assert.Equal(Logged(stock), Logged(sandboxed));
        var captured = File.ReadAllBytes(project.Combine("obj", "Debug", "net10.0", "captured-true.txt"));
        Assert.Equal(File.ReadAllBytes(project.Combine("obj", "Debug", "net10.0", "captured-false.txt")), captured);
        Assert.Equal(string.Join("\n", expected) + "\n", Encoding.UTF8.GetString(captured));
    }

    /// <summary>
    /// A project in a directory named with spaces, single and double quotes and non-ASCII letters,
    /// built for real (restore, compile), whose step reads a source file and a file in a declared
    /// SandboxRead directory named the same way, and writes into $(OutDir). The paths reach the
    /// step through environment variables, as a user would pass them; writing the source tree is
    /// still denied.
    /// </summary>
    [Fact]
    public void PathsWithSpacesQuotesAndUnicode_Work_AndStayConfined()
    {
        Landlock.Require();
        var id = Guid.NewGuid().ToString("N")[..8];
        var data = Directory.CreateDirectory(Path.Combine(env.Root, $"data 'q' \"dq\" ü℃ {id}")).FullName;
        File.WriteAllText(Path.Combine(data, "input.txt"), "from-data-ü\n");
        var project = new TestProject(env, "odd", Path.Combine(env.Projects, $"dir with 'quote' \"dq\" ünï℃ode {id}"))
            .Property("E2EData", data)
            .Item($"""<SandboxRead Include="{SecurityElement.Escape(data)}" />""")
            .File("input.txt", "from-source-ï\n")
            .Target("""
                <Target Name="OddPathSteps" AfterTargets="Build">
                  <PropertyGroup>
                    <E2EVariables>E2E_OUT=$(MSBuildProjectDirectory)/$(OutDir);E2E_DATA=$(E2EData);E2E_SRC=$(MSBuildProjectDirectory)</E2EVariables>
                  </PropertyGroup>
                  <Exec Command="cat input.txt &quot;$E2E_DATA/input.txt&quot; &gt; &quot;$E2E_OUT/copied.txt&quot; &amp;&amp; pwd &gt; &quot;$E2E_OUT/pwd.txt&quot;" EnvironmentVariables="$(E2EVariables)" />
                  <Exec Command="touch &quot;$E2E_SRC/planted.txt&quot;" EnvironmentVariables="$(E2EVariables)" ContinueOnError="true" />
                </Target>
                """)
            .Write();

        // In the project's directory, without naming the project: the dotnet CLI strips double quotes
        // from a project path given as an argument (MSB1009), with or without the sandbox.
        var result = project.Dotnet(null, "build", "-nologo", "-v:n", "-tl:off", "--disable-build-servers", "-nodeReuse:false");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(" scrubbed (" + project.ProjectFile + ")", result.Output);
        var outDir = project.Combine("bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(outDir, "odd.dll")));
        Assert.Equal("from-source-ï\nfrom-data-ü\n", File.ReadAllText(Path.Combine(outDir, "copied.txt")));
        Assert.Equal(project.Directory, File.ReadAllText(Path.Combine(outDir, "pwd.txt")).TrimEnd('\n'));
        Assert.Matches(@"touch: cannot touch [^\n]*planted\.txt[^\n]*: Permission denied", result.Output);
        Assert.False(File.Exists(project.Combine("planted.txt")), "a step wrote into the source tree");
    }

    /// <summary>
    /// A project whose directory path is 4,000 characters (nested folders of 200), built for real:
    /// the policy grants paths that long, and the step reads a source file and writes into $(OutDir)
    /// by absolute paths of over 4,000 characters (PATH_MAX is 4,096).
    /// </summary>
    [Fact]
    public void AProjectDirectoryOf4000Characters_Builds_WithItsStep()
    {
        Landlock.Require();
        var directory = env.NewProjectDirectory("long");
        while (directory.Length + 201 < 3990)
            directory += "/" + new string('d', 200);
        directory += "/" + new string('e', 4000 - directory.Length - 1);
        Assert.Equal(4000, directory.Length);
        var project = new TestProject(env, "L", directory)
            .File("input.txt", "from-a-long-path\n")
            .Target("""
                <Target Name="LongPathStep" AfterTargets="Build">
                  <Exec Command="cat $(MSBuildProjectDirectory)/input.txt > $(MSBuildProjectDirectory)/$(OutDir)copied.txt" />
                </Target>
                """)
            .Write();

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(" scrubbed (" + project.ProjectFile + ")", result.Output);
        Assert.True(File.Exists(project.Combine("bin", "Debug", "net10.0", "L.dll")));
        Assert.Equal("from-a-long-path\n", File.ReadAllText(project.Combine("bin", "Debug", "net10.0", "copied.txt")));
    }

    /// <summary>
    /// 10,000 SandboxRead items, each a distinct existing file: the step reads the first and the
    /// last, and is denied the file next to them that is not granted. The time the step and the
    /// policy resolution take is logged next to the same step in a project without the grants.
    /// </summary>
    [Fact]
    public void APolicyOf10000Grants_IsEnforced_GrantByGrant()
    {
        Landlock.Require();
        const int grants = 10_000;
        var directory = Directory.CreateDirectory(Path.Combine(env.Root, $"grants-{Guid.NewGuid().ToString("N")[..8]}")).FullName;
        // Long names: 10,000 of them add up to more than the kernel takes on one command line,
        // so this also shows the policy does not travel there.
        string Granted(int i) => Path.Combine(directory, $"file-{i:D5}-{new string('n', 180)}.txt");
        for (var i = 0; i <= grants; i++)
            File.WriteAllText(Granted(i), $"content-{i:D5}\n");
        var notGranted = Granted(grants);
        string Steps(string read) => $$"""
            <Target Name="Grants">
              <PropertyGroup><E2EStart>$([System.DateTime]::UtcNow.Ticks)</E2EStart></PropertyGroup>
              <Exec Command="cat {{read}}" />
              <PropertyGroup><E2EEnd>$([System.DateTime]::UtcNow.Ticks)</E2EEnd></PropertyGroup>
              <Message Importance="high" Text="E2E step: $([MSBuild]::Divide($([MSBuild]::Subtract($(E2EEnd), $(E2EStart))), 10000)) ms" />
              <Exec Command="cat {{notGranted}}" ContinueOnError="true" />
            </Target>
            """;
        var many = new TestProject(env, "grants");
        for (var i = 0; i < grants; i++)
            many.Item($"""<SandboxRead Include="{Granted(i)}" />""");
        many.Target(Steps($"{Granted(0)} {Granted(grants - 1)}")).Write();
        var few = new TestProject(env, "no-grants").Target(Steps("Class1.cs")).Write();

        var manyResult = many.MSBuild("-t:Grants", "-v:m", "-clp:PerformanceSummary");
        var fewResult = few.MSBuild("-t:Grants", "-v:m", "-clp:PerformanceSummary");

        Assert.True(manyResult.Succeeded, manyResult.ToString());
        Assert.Contains("content-00000\n", manyResult.Output);
        Assert.Contains($"content-{grants - 1:D5}\n", manyResult.Output);
        Assert.Contains($"cat: {notGranted}: Permission denied", manyResult.Output);
        Assert.DoesNotContain($"content-{grants:D5}", manyResult.Output);
        Assert.True(fewResult.Succeeded, fewResult.ToString());
        Assert.Contains($"cat: {notGranted}: Permission denied", fewResult.Output);
        foreach (var (name, r) in new[] { ("10,000 grants", manyResult), ("no grants", fewResult) })
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{name}: step {StepTime().Match(r.Output).Groups[1].Value} ms, ResolveSandboxPolicy target {PolicyTime().Match(r.Output).Groups[1].Value} ms, build {r.Duration.TotalSeconds:F1} s");
        }
    }

    [GeneratedRegex(@"E2E step: ([\d.]+) ms")]
    private static partial Regex StepTime();

    [GeneratedRegex(@"(\d+) ms\s+ResolveSandboxPolicy\s")]
    private static partial Regex PolicyTime();

    /// <summary>State, parent and start time (clock ticks since boot) of a process, or null if there is none.</summary>
    private static (char State, int Parent, string Start)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields after it are plain.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), fields[19]);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Running (not a zombie) and still the same process, not a later one with a reused pid.</summary>
    private static bool Alive(int pid, string start) => Stat(pid) is { } s && s.State != 'Z' && s.Start == start;

    private static IEnumerable<int> Ancestors(int pid)
    {
        for (var p = Stat(pid)?.Parent ?? 0; p > 1; p = Stat(p)?.Parent ?? 0)
            yield return p;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
