using System.Diagnostics;

namespace Nono;

/// <summary>
/// A sandboxed process whose denials are recorded (<see cref="SandboxedProcess.Start(CapabilitySet, ProcessStartInfo, SandboxRecording)"/>).
/// Dispose it to dispose the process and delete the report.
/// </summary>
public sealed class RecordedProcess : IDisposable
{
    private readonly string? reportPath;
    private (List<SandboxDenial> Denials, bool Truncated)? report;

    internal RecordedProcess(Process process, SandboxRecording recording, string? reportPath)
    {
        Process = process;
        Recording = recording;
        this.reportPath = reportPath;
    }

    /// <summary>The process: nono-exec, which becomes the command (same pid, same exit code).</summary>
    public Process Process { get; }

    /// <summary>What is recorded.</summary>
    public SandboxRecording Recording { get; }

    /// <summary>
    /// The accesses the sandbox denied (or, in <see cref="SandboxRecording.Audit"/>, would have denied), each
    /// once, in the order they happened, with the first process that made it. Read once the process has
    /// exited; empty with <see cref="SandboxRecording.None"/>. Processes the command left running in the
    /// background may still add denials later; they are not included.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process has not exited yet.</exception>
    public IReadOnlyList<SandboxDenial> Denials => Read().Denials;

    /// <summary>Whether the launcher stopped recording at its limit (10000 distinct denials).</summary>
    /// <exception cref="InvalidOperationException">The process has not exited yet.</exception>
    public bool DenialsTruncated => Read().Truncated;

    private (List<SandboxDenial> Denials, bool Truncated) Read()
    {
        if (report is { } read)
            return read;
        if (!Process.HasExited)
            throw new InvalidOperationException("the denials can be read once the process has exited");
        var text = reportPath is not null && File.Exists(reportPath) ? File.ReadAllText(reportPath) : "";
        report = SandboxDenial.ParseReport(text);
        return report.Value;
    }

    /// <summary>Disposes the process and deletes the report file.</summary>
    public void Dispose()
    {
        Process.Dispose();
        if (reportPath is not null)
            File.Delete(reportPath);
    }
}
