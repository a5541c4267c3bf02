using System.Globalization;

namespace Nono.Build.Tool;

/// <summary>
/// What MSBuild's processes were doing when, as the build's own logger (Nono.Build.Loggers'
/// TimelineLogger, loaded with <c>-logger</c> in a recorded build) wrote it: the evaluations,
/// targets and tasks, each with its node and its start and end. Ties a denial in an MSBuild process
/// (<see cref="SandboxDenial.Time"/>) to the task, target or evaluation that ran there then. The
/// logger runs inside the build: code in MSBuild's process could write a false timeline, so this
/// names a suspect, while the denial itself is the recorder's, outside the build.
/// </summary>
internal sealed class BuildTimeline
{
    /// <summary>The logger's type and file, beside this tool.</summary>
    public const string LoggerType = "Nono.Build.Loggers.TimelineLogger";

    public static string LoggerAssembly => Path.Combine(AppContext.BaseDirectory, "Nono.Build.Loggers.dll");

    /// <summary>MSBuild's node in the process that runs the command (in-process); worker nodes count from 2.</summary>
    private const int InProcessNode = 1;

    /// <summary>A timeline larger than this is not read: the build writes it, and the tool reads it outside the sandbox.</summary>
    private const long MaxBytes = 256L << 20;

    private readonly List<Span> spans;

    private BuildTimeline(List<Span> spans) => this.spans = spans;

    public static BuildTimeline Empty { get; } = new([]);

    /// <summary>One evaluation, target or task, from its start to its end (long.MaxValue if it never ended).</summary>
    private sealed record Span(string Kind, int Node, long Start, string Name, string File, string Project, string Assembly)
    {
        public long End { get; set; } = long.MaxValue;
    }

    /// <summary>The timeline the logger wrote to <paramref name="path"/>; empty if there is none.</summary>
    public static BuildTimeline Read(string path)
    {
        var spans = new List<Span>();
        var open = new Dictionary<string, Span>(StringComparer.Ordinal);
        IEnumerable<string> lines;
        try
        {
            if (new FileInfo(path).Length > MaxBytes)
                return Empty;
            lines = File.ReadLines(path).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Empty;
        }
        foreach (var line in lines)
        {
            var f = line.Split('\t');
            // Nodes from 1: an event without a node (no context) tells nothing of a process.
            if (f.Length < 5 || !long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var time)
                || !int.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var node) || node < InProcessNode)
                continue;
            var key = $"{f[0]}|{f[3]}|{f[4]}";
            if (f[1] == "START" && f.Length >= 9)
            {
                var span = new Span(f[0], node, time, f[5], f[6], f[7], f[8]);
                spans.Add(span);
                open[key] = span;
            }
            else if (f[1] == "END" && open.Remove(key, out var started))
            {
                started.End = time;
            }
        }
        return new BuildTimeline(spans);
    }

    /// <summary>
    /// What MSBuild did at <paramref name="time"/> in the process that runs the command
    /// (<paramref name="inProcessNode"/>) or in its worker node: "ran task X" (with its package,
    /// where it comes from the package folder), else "ran target T", else "evaluated P". Null where
    /// the timeline does not tell: nothing ran then, or the build had several worker nodes, whose
    /// processes the timeline does not tell apart.
    /// </summary>
    public string? Describe(bool inProcessNode, DateTimeOffset time, string packageFolder)
    {
        if (!inProcessNode && spans.Where(s => s.Node != InProcessNode).Select(s => s.Node).Distinct().Count() != 1)
            return null;
        var running = Running(time).Where(s => (s.Node == InProcessNode) == inProcessNode).ToList();
        foreach (var kind in new[] { "task", "target", "evaluation" })
        {
            // The innermost: the one that started last (a task that builds other projects waits
            // while their targets run).
            if (running.Where(s => s.Kind == kind).MaxBy(s => s.Start) is { } innermost)
                return Describe(innermost, packageFolder);
        }
        return null;
    }

    /// <summary>
    /// The task MSBuild ran at <paramref name="time"/>, on whichever node, for a process of the
    /// build that is not MSBuild (what an Exec or a task started): "ran task X"; null unless
    /// exactly one node ran a task then.
    /// </summary>
    public string? DescribeTask(DateTimeOffset time, string packageFolder)
    {
        var innermost = Running(time).Where(s => s.Kind == "task").GroupBy(s => s.Node).Select(n => n.MaxBy(s => s.Start)!).ToList();
        return innermost.Count == 1 ? Describe(innermost[0], packageFolder) : null;
    }

    /// <summary>The spans that ran at <paramref name="time"/>: the recorder's clock has milliseconds, and the access happened within the millisecond after it.</summary>
    private IEnumerable<Span> Running(DateTimeOffset time)
    {
        var at = (time - DateTimeOffset.UnixEpoch).Ticks / 10;
        return spans.Where(s => s.Start <= at + 999 && at <= s.End);
    }

    private static string Describe(Span s, string packageFolder)
    {
        var project = Path.GetFileName(s.Project);
        return s.Kind switch
        {
            "task" => $"ran task {s.Name}{From(s.Assembly, s.File, packageFolder)} for {project}",
            "target" => $"ran target {s.Name}{From("", s.File, packageFolder)} for {project}",
            _ => $"evaluated {project} (a property function or an import)",
        };
    }

    /// <summary>" of package ID VERSION (FILE)" where the task's assembly or the file that uses it lies in the package folder, else " (FILE)".</summary>
    private static string From(string assembly, string file, string packageFolder)
    {
        foreach (var path in new[] { assembly, file })
        {
            if (BuildDiagnostics.InPackageFolder(path, packageFolder) is { } package)
                return $" of package {package.Id} {package.Version} ({package.File})";
        }
        return file.Length > 0 ? $" ({file})" : "";
    }
}
