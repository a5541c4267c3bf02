using System.Globalization;
using System.Text;
using Microsoft.Build.Framework;

namespace Nono.Build.Loggers;

/// <summary>
/// Writes when each evaluation, target and task of the build started and finished, and on which
/// node, to the file its parameter names, one tab-separated line per event:
/// <c>KIND START|END MICROSECONDS NODE KEY [NAME FILE PROJECT ASSEMBLY]</c>, where KIND is
/// <c>evaluation</c>, <c>target</c> or <c>task</c>, the time counts from the Unix epoch, and KEY
/// pairs a start with its end. Tabs and line breaks in names become spaces.
/// </summary>
public sealed class TimelineLogger : ILogger
{
    private StreamWriter? writer;

    public LoggerVerbosity Verbosity { get; set; }

    public string? Parameters { get; set; }

    public void Initialize(IEventSource eventSource)
    {
        if (string.IsNullOrEmpty(Parameters))
            throw new LoggerException("TimelineLogger needs the file to write as its parameter: -logger:Nono.Build.Loggers.TimelineLogger,ASSEMBLY;FILE");
        writer = new StreamWriter(new FileStream(Parameters, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        eventSource.StatusEventRaised += (_, e) =>
        {
            if (e is ProjectEvaluationStartedEventArgs started)
                Write("evaluation", "START", e, Key(e.BuildEventContext, evaluation: true), "", "", started.ProjectFile, "");
            else if (e is ProjectEvaluationFinishedEventArgs)
                Write("evaluation", "END", e, Key(e.BuildEventContext, evaluation: true));
        };
        eventSource.TargetStarted += (_, e) => Write("target", "START", e, Key(e.BuildEventContext), e.TargetName, e.TargetFile, e.ProjectFile, "");
        eventSource.TargetFinished += (_, e) => Write("target", "END", e, Key(e.BuildEventContext));
        eventSource.TaskStarted += (_, e) => Write("task", "START", e, Key(e.BuildEventContext), e.TaskName, e.TaskFile, e.ProjectFile, AssemblyLocation(e));
        eventSource.TaskFinished += (_, e) => Write("task", "END", e, Key(e.BuildEventContext));
    }

    public void Shutdown() => writer?.Dispose();

    /// <summary>The task's assembly, which MSBuild 17.9 and later report.</summary>
    private static string AssemblyLocation(TaskStartedEventArgs e) =>
        e.GetType().GetProperty("TaskAssemblyLocation")?.GetValue(e) as string ?? "";

    private static string Key(BuildEventContext? c, bool evaluation = false) =>
        c is null ? "-" : evaluation ? $"e{c.EvaluationId}" : $"{c.ProjectContextId}.{c.TargetId}.{c.TaskId}";

    private void Write(string kind, string edge, BuildEventArgs e, string key, params string?[] fields)
    {
        var microseconds = (e.Timestamp.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10;
        var line = new StringBuilder()
            .Append(kind).Append('\t').Append(edge).Append('\t')
            .Append(microseconds.ToString(CultureInfo.InvariantCulture)).Append('\t')
            .Append((e.BuildEventContext?.NodeId ?? -1).ToString(CultureInfo.InvariantCulture)).Append('\t')
            .Append(key);
        foreach (var field in fields)
            line.Append('\t').Append((field ?? "").Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' '));
        writer!.WriteLine(line.ToString());
    }
}
