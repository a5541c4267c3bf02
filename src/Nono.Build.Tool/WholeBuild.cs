using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Nono.Build.Tool;

/// <summary>
/// <c>dotnet nono COMMAND [ARGS]</c>: runs <c>dotnet COMMAND ARGS</c> with the whole build inside
/// nono-exec, in two phases (<see cref="BuildPolicy"/>): restore, then the command itself with
/// <c>--no-restore</c>. Output and exit code are dotnet's own; the tool's own lines start with
/// <c>dotnet nono:</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class WholeBuild
{
    private const string Usage = """
        Usage: dotnet nono [--print-policy] [--diagnostics | --audit] [--unsandboxed] COMMAND [ARGS...]
               dotnet nono inventory [PROJECT|SOLUTION|FOLDER] [--json] [--no-restore] [-c CFG]
        Runs `dotnet COMMAND ARGS` with the whole build (evaluation, tasks, MSBuild nodes, the compiler
        server, analyzers, tools, test hosts) in a Landlock + seccomp sandbox computed from the repository.

        Commands: build, test, pack, publish (restore first, then the command with --no-restore), msbuild.
          inventory: restore (in the sandbox), then list the third-party code the build runs, per package:
          Exec steps, tasks (inline, compiled, ToolTask), the programs packages ship, analyzers and
          generators, read statically (--json: as JSON; --no-restore: from the existing assets files).
          --print-policy  print each phase's policy (nono-exec options and environment changes) first
          --diagnostics   record what the sandbox denies the build, and say after it which process did it
                          and the item that allows it (as SandboxDiagnostics=true in the repository)
          --audit         enforce nothing of the build's policy; record what it would deny, and write the
                          items that allow it to sandbox.suggested.props (as SandboxMode=Audit)
          --unsandboxed   on a machine without Landlock, run unsandboxed (with a warning) instead of failing
        """;

    /// <summary>The dotnet commands that restore first and take --no-restore.</summary>
    private static readonly HashSet<string> RestoringCommands = ["build", "test", "pack", "publish"];

    /// <summary>dotnet options whose next argument is their value, not the project (never MSBuild's -bl or -t, whose value follows a colon).</summary>
    private static readonly HashSet<string> OptionsWithValue =
    [
        "-c", "--configuration", "-f", "--framework", "-r", "--runtime", "-o", "--output", "-v", "--verbosity",
        "-a", "--arch", "--os", "-s", "--source", "--configfile", "--packages", "--filter", "-l", "--logger",
        "--results-directory", "--settings", "--test-adapter-path", "--collect", "-d", "--diag",
        "--blame-hang-timeout", "--blame-crash-dump-type", "--blame-hang-dump-type", "--version-suffix",
        "--property", "-e", "--environment", "--artifacts-path",
    ];

    /// <summary>NONO_TOOL_TIMING=1: how long the tool took before each phase started, on stderr.</summary>
    private static readonly bool Timing = Environment.GetEnvironmentVariable("NONO_TOOL_TIMING") == "1";
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private static void Time(string what)
    {
        if (Timing)
            Console.Error.WriteLine($"dotnet nono: {what} at {Clock.Elapsed.TotalMilliseconds:F0} ms (process start: {(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:F0} ms ago)");
    }

    public static int Run(string[] args)
    {
        var printPolicy = false;
        var unsandboxed = false;
        var diagnosticsOption = false;
        var auditOption = false;
        var at = 0;
        for (; at < args.Length && args[at].StartsWith("--", StringComparison.Ordinal); at++)
        {
            switch (args[at])
            {
                case "--print-policy":
                    printPolicy = true;
                    break;
                case "--unsandboxed":
                    unsandboxed = true;
                    break;
                case "--diagnostics":
                    diagnosticsOption = true;
                    break;
                case "--audit":
                    auditOption = true;
                    break;
                case "--help":
                    Console.Out.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"dotnet nono: error NONO4004: unknown option '{args[at]}'. Run dotnet nono --help.");
                    return 1;
            }
        }
        if (at >= args.Length)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        var command = args[at];
        var rest = args[(at + 1)..];
        if (command == "inventory")
            return Inventory.Run(rest, printPolicy, unsandboxed);
        if (!RestoringCommands.Contains(command) && command != "msbuild")
        {
            Console.Error.WriteLine($"dotnet nono: error NONO4004: '{command}' is not a command dotnet nono runs; use build, test, pack, publish, msbuild or inventory.");
            return 1;
        }

        var machine = Machine.Find();
        if (LandlockAbi() <= 0)
        {
            if (!unsandboxed)
            {
                Console.Error.WriteLine("dotnet nono: error NONO0001: this kernel does not enforce Landlock, so the build cannot be sandboxed. Run on Linux 5.13+ with Landlock enabled (lsm=landlock), or pass --unsandboxed to build without the sandbox.");
                return 1;
            }
            Console.Error.WriteLine("dotnet nono: warning NONO0001: this kernel does not enforce Landlock; building UNSANDBOXED (--unsandboxed).");
            return Start(machine.Dotnet, [command, .. rest], null);
        }

        Time("arguments read");
        // What follows a `--` is the test runner's: never read as dotnet's, and the tool's own
        // arguments go before it.
        var dashes = Array.IndexOf(rest, "--");
        var (dotnetArguments, runnerArguments) = dashes < 0 ? (rest, []) : (rest[..dashes], rest[dashes..]);
        var target = Target(dotnetArguments);
        var repository = Repository.Find(target);
        Time("repository found");
        var privateRoot = Directory.CreateTempSubdirectory("nono-build-").FullName;
        // The egress proxy the build reaches its hosts through (restore: the feeds'), out of its reach in this process.
        using var proxy = new Nono.Egress.EgressProxy();
        var compilerPipes = new List<string>();
        using var children = new Children();
        string? reportRoot = null;
        var started = DateTime.UtcNow;
        var testingPlatform = false;
        try
        {
            var noRestore = dotnetArguments.Contains("--no-restore") || dotnetArguments.Contains("--no-build");
            var restoring = RestoringCommands.Contains(command) && !noRestore;
            var (recording, why) = BuildDiagnostics.Settings(repository, diagnosticsOption, auditOption, dotnetArguments, Console.Error.WriteLine);
            string? report = null, timeline = null;
            // dotnet test under Microsoft.Testing.Platform passes MSBuild its own logging options only
            // and hands any other to the test applications: the tool's loggers stay out there.
            testingPlatform = command == "test" && RunsTestingPlatform(Environment.CurrentDirectory);
            if (recording != Recording.Off)
            {
                // The report lies outside every grant (a private folder of this process's), so the
                // build can neither forge nor erase what the recorder writes about it.
                reportRoot = Directory.CreateTempSubdirectory("nono-report-").FullName;
                report = Path.Combine(reportRoot, "build.denials");
                // What MSBuild ran when, to tell apart the tasks in its processes (written inside the build).
                if (!testingPlatform && File.Exists(BuildTimeline.LoggerAssembly) && BuildTimeline.LoggerAssembly.IndexOfAny([',', ';']) < 0)
                    timeline = Path.Combine(privateRoot, "build", "timeline.tsv");
                Console.Error.WriteLine(recording == Recording.Audit
                    ? $"dotnet nono: warning {Nono.Build.Tasks.Diagnostics.Audit}: audit ({why}): the build runs with nothing of its policy enforced; what it would deny is reported after it."
                    : $"dotnet nono: diagnostics ({why}): what the sandbox denies the build is reported after it.");
            }
            // The build's output, kept to say after a failure what it shows the sandbox denied (a recorded build names it instead).
            var outputLog = recording == Recording.Off && !testingPlatform ? Path.Combine(privateRoot, "build", "output.log") : null;
            var outputLogger = outputLog is null ? null : FailureHints.LoggerArgument(outputLog);
            int Built(int code, BuildPolicy policy)
            {
                if (code != 0 && outputLogger is not null)
                    FailureHints.Print(outputLog!, policy.Capabilities, command, code, Console.Error);
                return code;
            }
            BuildPolicy BuildPhase(string compilerPipe)
            {
                var build = BuildPolicy.For(BuildPolicy.Phase.Build, repository, machine, Path.Combine(privateRoot, "build"), test: command == "test", null, proxy);
                // Roslyn puts its pipe in /tmp whatever TMPDIR says; the supervisor binds this name only.
                build.LauncherOptions.AddRange(["--unix-bind", Path.Combine("/tmp", compilerPipe)]);
                // Microsoft.Testing.Platform's dotnet test opens its pipe to the test applications at
                // /tmp/<a new GUID's 32 digits>, also whatever TMPDIR says.
                if (testingPlatform)
                    build.LauncherOptions.AddRange(["--unix-bind", "/tmp/%g"]);
                if (report is not null)
                    build.LauncherOptions.AddRange(recording == Recording.Audit ? ["--audit", "--report", report] : ["--report", report]);
                if (timeline is not null || outputLogger is not null)
                    build.Capabilities.AllowFile(BuildTimeline.LoggerAssembly, AccessMode.Read);
                CommandLineOutputs.GrantTo(build, dotnetArguments, Environment.CurrentDirectory, repository, Environment.GetEnvironmentVariable("HOME"));
                return build;
            }
            string[] BuildArguments(string pipe) =>
            [
                command, .. dotnetArguments,
                .. restoring ? new[] { "--no-restore" } : [],
                // A compiler server of this build's own: never one an earlier build left running.
                $"-p:SharedCompilationId={pipe}",
                // The whole build's recorder traces every process, Exec steps included, and a process
                // has one tracer: a step's own nono-exec cannot record too. Audit enforces nothing,
                // steps' own sandboxes neither; with diagnostics they keep them, unrecorded.
                .. recording switch
                {
                    Recording.Audit => new[] { "-p:SandboxEnabled=false" },
                    Recording.Denials => ["-p:SandboxDiagnostics=false"],
                    _ => [],
                },
                .. timeline is null ? [] : new[] { $"-logger:{BuildTimeline.LoggerType},{BuildTimeline.LoggerAssembly};{timeline}" },
                .. outputLogger is null ? [] : new[] { outputLogger },
                .. runnerArguments,
            ];

            // Where every project has restored before, restore runs beside the build, which reads
            // what restore leaves unchanged when it has nothing to do (the common case, and a
            // process start and an evaluation of every project saved). Where restore did change
            // something, that build is stopped and run again after it. Not under diagnostics: the
            // stopped build's record would mix with the next one's.
            var before = restoring && recording == Recording.Off ? RestoreOutputs.Read(repository) : null;
            if (before is not null)
            {
                var restoreOutput = new StringBuilder();
                var restorePolicy = RestorePolicy(target, repository, machine, privateRoot, proxy);
                var restore = StartPhase(children, "restore", restorePolicy, machine, RestoreCommandLine(dotnetArguments), privateRoot, printPolicy, restoreOutput);
                var besidePipe = $"nono-{Guid.NewGuid():N}";
                compilerPipes.Add(besidePipe);
                var besideBuild = BuildPhase(besidePipe);
                var building = StartPhase(children, command, besideBuild, machine, BuildArguments(besidePipe), privateRoot, printPolicy, null);
                var restored = FinishPhase(children, restore, "restore", restorePolicy);
                Console.Out.Write(restoreOutput.ToString());
                Console.Out.Flush();
                if (restored == 0 && before.SameAs(RestoreOutputs.Read(repository)))
                    return Built(FinishPhase(children, building, command, besideBuild), besideBuild);
                children.Stop(building);
                besideBuild.Egress?.Dispose();
                if (restored != 0)
                    return restored;
                Console.Error.WriteLine($"dotnet nono: restore, which ran beside {command}, changed what it reads (assets files, NuGet's props and targets): what {command} printed above is void; it runs again now that restore is done.");
            }
            else if (restoring)
            {
                var code = Restore(children, dotnetArguments, target, repository, machine, privateRoot, proxy, printPolicy);
                if (code != 0)
                    return code;
            }
            var pipe = $"nono-{Guid.NewGuid():N}";
            compilerPipes.Add(pipe);
            var buildPolicy = BuildPhase(pipe);
            var built = Built(FinishPhase(children, StartPhase(children, command, buildPolicy, machine, BuildArguments(pipe), privateRoot, printPolicy, null), command, buildPolicy), buildPolicy);
            if (report is not null)
                BuildDiagnostics.Report(report, timeline is null ? BuildTimeline.Empty : BuildTimeline.Read(timeline), recording, failed: built != 0, repository.Root, machine.PackageFolder, machine.DotnetRoot, Console.Error);
            return built;
        }
        finally
        {
            CleanUp(privateRoot, compilerPipes, started);
            if (testingPlatform)
                DeleteUnboundRandomPipes(started);
            try
            {
                if (reportRoot is not null)
                    Directory.Delete(reportRoot, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Whether dotnet test runs Microsoft.Testing.Platform here: global.json's <c>test.runner</c>, from the folder up, as the dotnet CLI reads it.</summary>
    internal static bool RunsTestingPlatform(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "global.json");
            if (!File.Exists(file))
                continue;
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                return json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.Object
                    && test.TryGetProperty("runner", out var runner) && runner.ValueKind == JsonValueKind.String
                    && runner.GetString() == "Microsoft.Testing.Platform";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>The restore phase of a build (or of <c>dotnet nono inventory</c>) in its own policy: no package code runs.</summary>
    internal static int Restore(Children children, string[] rest, string? target, Repository repository, Machine machine, string privateRoot, Nono.Egress.EgressProxy proxy, bool printPolicy)
    {
        var restore = RestorePolicy(target, repository, machine, privateRoot, proxy);
        return FinishPhase(children, StartPhase(children, "restore", restore, machine, RestoreCommandLine(rest), privateRoot, printPolicy, null), "restore", restore);
    }

    private static BuildPolicy RestorePolicy(string? target, Repository repository, Machine machine, string privateRoot, Nono.Egress.EgressProxy proxy) =>
        BuildPolicy.For(BuildPolicy.Phase.Restore, repository, machine, Path.Combine(privateRoot, "restore"), test: false,
            target is null ? null : (File.Exists(target) ? Path.GetDirectoryName(Path.GetFullPath(target)) : Path.GetFullPath(target)), proxy);

    /// <summary>dotnet's restore command line for the command's arguments.</summary>
    internal static string[] RestoreCommandLine(string[] rest) =>
    [
        "restore", .. RestoreArguments(rest),
        // No package code runs: packages' props and targets are not imported while restoring
        // (ExcludeRestorePackageImports), nor what an earlier build left among obj/'s imports.
        "-p:ExcludeRestorePackageImports=true", "-p:ImportProjectExtensionProps=false", "-p:ImportProjectExtensionTargets=false",
        // Nono.Build.Sdk's step policy (an InitialTarget, which would make bin/ at
        // restore): restore runs no step, and runs inside this sandbox anyway.
        "-p:SandboxEnabled=false",
    ];

    /// <summary>The project, solution or folder the command builds, if one is named.</summary>
    internal static string? Target(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (OptionsWithValue.Contains(arg))
            {
                i++;
                continue;
            }
            if (arg.StartsWith('-') || arg.StartsWith('/'.ToString() + "p:", StringComparison.Ordinal))
                continue;
            if (File.Exists(arg) || Directory.Exists(arg))
                return arg;
        }
        return null;
    }

    /// <summary>The arguments of the command that matter to restore: the target, properties, runtime, sources.</summary>
    internal static List<string> RestoreArguments(string[] args)
    {
        var kept = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var next = i + 1 < args.Length ? args[i + 1] : null;
            switch (arg)
            {
                case "-r" or "--runtime" or "-a" or "--arch" or "--os" or "-s" or "--source" or "--configfile" or "--packages" or "-v" or "--verbosity" when next is not null:
                    kept.Add(arg);
                    kept.Add(next);
                    i++;
                    continue;
                case "-c" or "--configuration" when next is not null:
                    kept.Add($"-p:Configuration={next}");
                    i++;
                    continue;
                case "--ucr" or "--use-current-runtime" or "--sc" or "--self-contained" or "--disable-parallel" or "--no-cache" or "--force" or "--no-dependencies":
                    kept.Add(arg);
                    continue;
            }
            if (OptionsWithValue.Contains(arg))
            {
                i++;
                continue;
            }
            if (arg.StartsWith("-p:", StringComparison.Ordinal) || arg.StartsWith("/p:", StringComparison.Ordinal)
                || arg.StartsWith("--property:", StringComparison.Ordinal) || arg.StartsWith("-property:", StringComparison.Ordinal))
                kept.Add(arg);
            else if (!arg.StartsWith('-') && (File.Exists(arg) || Directory.Exists(arg)))
                kept.Add(arg);
        }
        return kept;
    }

    /// <summary>Starts a phase: dotnet in nono-exec under the phase's policy (its output kept in <paramref name="capture"/>, if given).</summary>
    private static Process StartPhase(Children children, string name, BuildPolicy policy, Machine machine, string[] dotnetArgs, string privateRoot, bool print, StringBuilder? capture)
    {
        foreach (var note in policy.Notes)
            Console.Error.WriteLine(note);
        var options = policy.AllLauncherOptions();
        var optionsFile = Path.Combine(privateRoot, $"{name}.options");
        File.WriteAllLines(optionsFile, OptionLines(options));
        if (print)
        {
            Console.Error.WriteLine($"dotnet nono: {name} policy:");
            foreach (var line in OptionLines(options))
                Console.Error.WriteLine($"  {line}");
            foreach (var (variable, value) in policy.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
                Console.Error.WriteLine(value is null ? $"  env -{variable}" : $"  env {variable}={MaskCredential(value)}");
        }
        var launcher = Nono.Native.NativeAssets.Launcher();
        Time($"{name} policy computed, starting");
        return children.Start(launcher, [$"@{optionsFile}", "--", machine.Dotnet, .. dotnetArgs], policy.Environment, capture);
    }

    /// <summary>Waits for a phase; reports what the egress proxy refused it. Returns its exit code.</summary>
    private static int FinishPhase(Children children, Process process, string name, BuildPolicy policy)
    {
        var code = children.Wait(process);
        if (policy.Egress is { } egress)
        {
            ReportEgress(name, egress);
            egress.Dispose();
        }
        return code;
    }

    /// <summary>What the egress proxy refused a phase, from its own record, with the item that allows it.</summary>
    private static void ReportEgress(string phase, Nono.Egress.EgressGrant egress)
    {
        foreach (var e in egress.Events.Where(e => e.Outcome != Nono.Egress.EgressOutcome.Contacted))
            Console.Error.WriteLine(e.Outcome == Nono.Egress.EgressOutcome.NotListed
                ? $"dotnet nono: NONO2005: the egress proxy refused {phase} {Nono.Egress.EgressHost.Authority(e.Host, e.Port)}: it is neither a package source's host (NuGet.config) nor a SandboxNetwork item of the repository. If the build needs it (a feed that redirects downloads to another host, for instance), add <SandboxNetwork Include=\"{e.Item}\" /> to Directory.Build.props."
                : $"dotnet nono: NONO2005: the egress proxy could not give {phase} {Nono.Egress.EgressHost.Authority(e.Host, e.Port)}: {e.Detail}.");
    }

    /// <summary>The egress proxy's address without its credential, for the console.</summary>
    private static string MaskCredential(string value) =>
        System.Text.RegularExpressions.Regex.Replace(value, "://([^:/@]+):[^@/]+@", "://$1:***@");

    /// <summary>nono-exec's options one per line, as its @FILE reads them.</summary>
    private static IEnumerable<string> OptionLines(IReadOnlyList<string> options)
    {
        for (var i = 0; i < options.Count; i++)
        {
            var option = Nono.LauncherOptions.Find(options[i]);
            if (option is { TakesValue: true })
            {
                var value = options[++i];
                if (value.Contains('\n') || value.EndsWith('\r'))
                    throw new InvalidOperationException($"a path with a line break cannot be granted: {value}");
                yield return $"{options[i - 1]} {value}";
            }
            else
            {
                yield return options[i];
            }
        }
    }

    /// <summary>Runs the program with the terminal as is and returns its exit code (see <see cref="Children"/>).</summary>
    private static int Start(string program, IEnumerable<string> arguments, Dictionary<string, string?>? environment)
    {
        using var children = new Children();
        return children.Wait(children.Start(program, arguments, environment));
    }

    /// <summary>
    /// Removes the run's private directory, the compiler server's pipe, and the node pipes this
    /// run's MSBuild nodes left in /tmp (the build may make sockets there but not delete them).
    /// </summary>
    private static void CleanUp(string privateRoot, IEnumerable<string> compilerPipes, DateTime started)
    {
        try
        {
            Directory.Delete(privateRoot, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"dotnet nono: warning: could not delete the build's private directory {privateRoot}: {e.Message}");
        }
        foreach (var compilerPipe in compilerPipes)
            TryDelete(Path.Combine("/tmp", compilerPipe));
        try
        {
            foreach (var pipe in Directory.EnumerateFiles("/tmp", "MSBuild*"))
            {
                var name = Path.GetFileName(pipe);
                if (int.TryParse(name.AsSpan("MSBuild".Length), out var pid) && !Directory.Exists($"/proc/{pid}")
                    && File.GetLastWriteTimeUtc(pipe) >= started.AddSeconds(-1))
                    TryDelete(pipe);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// The socket files of random-GUID names in /tmp that the supervisor bound for the build's test
    /// pipes (--unix-bind /tmp/%g) and the build itself may not unlink there: those of this user,
    /// made since the build started and not in the last 200 ms (a bind makes its file a moment before its
    /// socket is listed), that no socket is bound to any more (/proc/net/unix, read after listing /tmp).
    /// </summary>
    private static void DeleteUnboundRandomPipes(DateTime started)
    {
        try
        {
            var candidates = Directory.EnumerateFiles("/tmp").Where(f => Path.GetFileName(f) is { Length: 32 } name && name.All(char.IsAsciiHexDigitLower)).ToList();
            var bound = File.ReadLines("/proc/net/unix").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 8).Select(f => f[7]).ToHashSet(StringComparer.Ordinal);
            var user = UnixFileType.EffectiveUser();
            foreach (var file in candidates)
            {
                var written = File.GetLastWriteTimeUtc(file);
                if (!bound.Contains(file) && UnixFileType.Of(file) is { Type: UnixFileType.Socket } socket && socket.Owner == user
                    && written >= started.AddSeconds(-1) && written <= DateTime.UtcNow.AddMilliseconds(-200))
                    TryDelete(file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EntryPointNotFoundException or DllNotFoundException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The kernel's Landlock ABI version, or 0 without Landlock.</summary>
    private static long LandlockAbi() => Syscall(444 /* landlock_create_ruleset, x86-64 and arm64 */, 0, 0, 1 /* VERSION */);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, nint attr, nint size, uint flags);
}
