using System.Globalization;
using Nono.Build.Tasks;

namespace Nono.Build.Tool;

/// <summary>What dotnet nono records of the build phase.</summary>
internal enum Recording
{
    /// <summary>Nothing: the build runs exactly as without diagnostics.</summary>
    Off,

    /// <summary><c>SandboxDiagnostics=true</c> or <c>--diagnostics</c>: enforced, and every denial recorded (<c>nono-exec --report</c>).</summary>
    Denials,

    /// <summary><c>SandboxMode=Audit</c> or <c>--audit</c>: nothing of the policy enforced, what it would deny recorded (<c>nono-exec --audit --report</c>).</summary>
    Audit,
}

/// <summary>
/// The SDK's <c>SandboxDiagnostics</c> and <c>SandboxMode=Audit</c> for the whole build: which
/// switch is on (the command line first, then the repository's build files, read statically as
/// <see cref="Repository"/> reads its items), and, after the build, each denial the recorder wrote
/// with the SDK's NONO code and text (<see cref="DenialReport"/>, <see cref="SandboxSuggestion"/>,
/// <see cref="SuggestedProps"/>, linked from Nono.Build.Tasks), naming the process that made it.
/// </summary>
internal static class BuildDiagnostics
{
    /// <summary>At most this many lines; the rest is counted.</summary>
    private const int Listed = 30;

    /// <summary>The suggested items of an audit, in the repository's root (which the build can read but not write).</summary>
    public const string SuggestedPropsName = "sandbox.suggested.props";

    /// <summary>
    /// Which recording the build phase gets, and what turned it on: dotnet nono's own
    /// <c>--audit</c>/<c>--diagnostics</c>, a <c>-p:SandboxMode=…</c>/<c>-p:SandboxDiagnostics=…</c>
    /// among dotnet's arguments (both the trusted command line, which wins), else the repository's
    /// <c>SandboxMode</c>/<c>SandboxDiagnostics</c> properties anywhere in its build files. A
    /// repository's <c>SandboxMode=Audit</c> under a condition, which is not evaluated, is not taken:
    /// it would turn enforcement off where the repository may mean it only elsewhere (a local build,
    /// not CI); <paramref name="warn"/> is told so.
    /// </summary>
    public static (Recording Mode, string? Why) Settings(Repository repository, bool diagnosticsOption, bool auditOption, IReadOnlyList<string> dotnetArgs, Action<string> warn)
    {
        if (auditOption)
            return (Recording.Audit, "--audit");
        var mode = CommandLineProperty(dotnetArgs, "SandboxMode");
        if (mode is not null)
        {
            if (mode.Equals("Audit", StringComparison.OrdinalIgnoreCase))
                return (Recording.Audit, "-p:SandboxMode=Audit");
        }
        else if (repository.PropertyValues("SandboxMode").Where(p => p.Value.Equals("Audit", StringComparison.OrdinalIgnoreCase)).ToList() is { Count: > 0 } audits)
        {
            if (audits.FirstOrDefault(a => !a.Conditional) is { Value: not null } audit)
                return (Recording.Audit, $"SandboxMode=Audit at {audit.Source}");
            warn($"dotnet nono: warning NONO4001: SandboxMode=Audit at {audits[0].Source} has a condition, which dotnet nono does not evaluate: the build is enforced. Pass --audit to audit it.");
        }
        if (diagnosticsOption)
            return (Recording.Denials, "--diagnostics");
        var diagnostics = CommandLineProperty(dotnetArgs, "SandboxDiagnostics");
        if (diagnostics is not null)
            return diagnostics.Equals("true", StringComparison.OrdinalIgnoreCase) ? (Recording.Denials, "-p:SandboxDiagnostics=true") : (Recording.Off, null);
        if (repository.PropertyValues("SandboxDiagnostics").FirstOrDefault(p => p.Value.Equals("true", StringComparison.OrdinalIgnoreCase)) is { Value: not null } on)
            return (Recording.Denials, $"SandboxDiagnostics=true at {on.Source}");
        return (Recording.Off, null);
    }

    /// <summary>The last value dotnet's arguments give a property (-p:, /p:, --property:, -property:), or null.</summary>
    internal static string? CommandLineProperty(IReadOnlyList<string> args, string name)
    {
        string? value = null;
        foreach (var arg in args)
        {
            var colon = arg.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || arg[..colon].ToLowerInvariant() is not ("-p" or "/p" or "--property" or "-property" or "/property"))
                continue;
            foreach (var assignment in arg[(colon + 1)..].Split(';'))
            {
                var equals = assignment.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && assignment[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                    value = assignment[(equals + 1)..].Trim();
            }
        }
        return value;
    }

    /// <summary>
    /// Which part of the build a process is: a package's tool (its id and version, where the
    /// program or a file it runs lies in the NuGet package folder), MSBuild (evaluation and
    /// in-process tasks, which run in MSBuild's own process: the task, target or evaluation
    /// <paramref name="timeline"/> has at the denial's time), the compiler server (analyzers and
    /// generators run inside it), a test host, or the program's path (with the task MSBuild ran
    /// then, which may have started it).
    /// </summary>
    public static string Who(SandboxDenial denial, string packageFolder, string dotnetRoot, BuildTimeline? timeline = null)
    {
        var words = (denial.CommandLine ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var executable = denial.Executable;
        var isDotnet = Path.GetFileName(executable) == "dotnet"
            || executable.StartsWith(dotnetRoot.TrimEnd('/') + "/", StringComparison.Ordinal);
        if (isDotnet)
        {
            // A .dll the host runs, or the apphost of the same name (the SDK's Roslyn/bincore/csc).
            bool Runs(string name) => Path.GetFileName(executable).Equals(name, StringComparison.OrdinalIgnoreCase)
                || words.Any(w => Path.GetFileName(w).Equals(name + ".dll", StringComparison.OrdinalIgnoreCase));
            if (Runs("VBCSCompiler"))
                return "the compiler server (analyzers, generators)";
            if (Runs("csc") || Runs("vbc") || Runs("fsc"))
                return "the compiler (analyzers, generators)";
            if (words.Any(w => Path.GetFileName(w).StartsWith("testhost", StringComparison.OrdinalIgnoreCase)))
                return "a test host (the tests, test adapters)";
            if (Runs("vstest.console"))
                return "the test runner (vstest.console)";
            if (Runs("MSBuild") || words is [_, "build" or "test" or "pack" or "publish" or "msbuild" or "restore", ..])
            {
                // The process that runs the command is MSBuild's in-process node; /nodemode:1 a worker node.
                var nodeMode = words.FirstOrDefault(w => w.Contains("nodemode:", StringComparison.OrdinalIgnoreCase));
                var inProcess = nodeMode is null;
                return (inProcess || nodeMode!.EndsWith("nodemode:1", StringComparison.OrdinalIgnoreCase))
                    && denial.Time is { } time && timeline?.Describe(inProcess, time, packageFolder) is { } what
                    ? "MSBuild, while it " + what
                    : "MSBuild (evaluation or an in-process task)";
            }
        }
        foreach (var path in words.Prepend(executable))
        {
            if (InPackageFolder(path, packageFolder) is { } package)
                return $"package {package.Id} {package.Version} ({Path.GetFileName(path)})";
        }
        // A program an Exec or a task started (git, node, a script): the task MSBuild ran then.
        return denial.Time is { } at && timeline?.DescribeTask(at, packageFolder) is { } task
            ? $"{executable}, while MSBuild {task}"
            : executable;
    }

    /// <summary>The package a path lies in (the folder's lower-case id and version) and its path inside it; null outside the package folder.</summary>
    internal static (string Id, string Version, string File)? InPackageFolder(string path, string packageFolder)
    {
        var packages = packageFolder.TrimEnd('/') + "/";
        if (!path.StartsWith(packages, StringComparison.Ordinal))
            return null;
        var parts = path[packages.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 ? (parts[0], parts[1], string.Join('/', parts[2..])) : null;
    }

    /// <summary>The line with control characters (escape sequences among them) as '?': names in it come from the build.</summary>
    internal static string Printable(string line) => string.Concat(line.Select(c => char.IsControl(c) ? '?' : c));

    /// <summary>
    /// Denials of the whole build that are neither a package's nor needed, beyond the runtimes'
    /// own (<see cref="RuntimeNoise"/>): the dotnet CLI writing workload metadata into the .NET
    /// install (it warns, "An issue was encountered verifying workloads", and goes on).
    /// </summary>
    internal static bool IsBuildNoise(SandboxDenial d, string dotnetRoot) =>
        RuntimeNoise.IsNoise(d)
        || (d.Operation is SandboxOperation.Create or SandboxOperation.Write or SandboxOperation.Delete or SandboxOperation.Rename
            && d.Target.StartsWith(dotnetRoot.TrimEnd('/') + "/metadata/", StringComparison.Ordinal));

    /// <summary>
    /// Prints what the recorder wrote (RuntimeNoise left out): one line per item that would allow
    /// it, with the SDK's codes (NONO2001 denied: an error if the build failed; NONO2002 would deny,
    /// NONO2004 a secrets folder). An audit also writes the suggested items to
    /// <see cref="SuggestedPropsName"/> in the repository. Returns the file written, or null.
    /// </summary>
    public static string? Report(string reportFile, BuildTimeline timeline, Recording mode, bool failed, string repositoryRoot, string packageFolder, string dotnetRoot, TextWriter output)
    {
        var (recorded, truncated) = SandboxDenial.ReadReport(reportFile);
        var denials = recorded.Where(d => !IsBuildNoise(d, dotnetRoot)).ToList();
        var audit = mode == Recording.Audit;
        var home = Environment.GetEnvironmentVariable("HOME")?.TrimEnd('/');
        if (denials.Count == 0)
        {
            output.WriteLine(audit
                ? $"dotnet nono: {Diagnostics.WouldDeny}: the policy would deny the build nothing; it can be enforced as it is."
                : $"dotnet nono: {Diagnostics.Denied}: the sandbox denied the build nothing.");
            return null;
        }
        var groups = denials
            .GroupBy(d => (Who: Who(d, packageFolder, dotnetRoot, timeline), Item: SandboxSuggestion.Text(d, home).Items))
            .ToList();
        foreach (var group in groups.Take(Listed))
        {
            var first = group.First();
            var others = group.Count() > 1 ? $" (and {group.Count() - 1} more like it)" : "";
            var secret = SandboxSuggestion.For(first, home).All(s => s.Secret is not null);
            var add = SandboxSuggestion.Text(first, home).NoneMay ? "" : audit ? "to allow it, add " : "if the build needs it, add ";
            var process = $"{group.Key.Who} (pid {first.ProcessId.ToString(CultureInfo.InvariantCulture)}, {first.Executable})";
            output.WriteLine(Printable(audit
                ? $"dotnet nono: warning {(secret ? Diagnostics.SecretsFolder : Diagnostics.WouldDeny)}: the sandbox would deny {DenialReport.Describe(first)}{others} to {process}; {add}{group.Key.Item}"
                : failed
                    ? $"dotnet nono: error {Diagnostics.Denied}: the sandbox denied {DenialReport.Describe(first)}{others} to {process}; {add}{group.Key.Item}"
                    : $"dotnet nono: {Diagnostics.Denied}: the sandbox denied {DenialReport.Describe(first)}{others} to {process}; {add}{group.Key.Item} (the build succeeded without it)"));
        }
        var rest = groups.Skip(Listed).Sum(g => g.Count());
        if (rest > 0 || truncated)
            output.WriteLine($"dotnet nono: {(audit ? Diagnostics.WouldDeny : Diagnostics.Denied)}: and {rest.ToString(CultureInfo.InvariantCulture)}{(truncated ? "+" : "")} more denials.");
        if (!audit)
            return null;
        var suggestions = SandboxSuggestion.Fold(denials, home);
        if (suggestions.Count == 0)
            return null;
        var file = Path.Combine(repositoryRoot, SuggestedPropsName);
        SuggestedProps.Write(file, suggestions,
        [
            "  <!-- Written by dotnet nono (audit) after the build: the items that would allow what the whole",
            "       build did and its policy would deny. Review each, then copy the items into Directory.Build.props",
            "       (or import this file from it), and build without the audit to enforce. -->",
        ]);
        output.WriteLine($"dotnet nono: {Diagnostics.WouldDeny}: wrote {suggestions.Count.ToString(CultureInfo.InvariantCulture)} suggested item(s) to {file}; review each, copy them into Directory.Build.props (or import the file), and build without the audit to enforce.");
        return file;
    }
}
