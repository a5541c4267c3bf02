using System.Diagnostics;
using Nono.Platform;

namespace Nono;

/// <summary>
/// Starts a child process confined to a <see cref="CapabilitySet"/>: on Linux under nono-exec, on
/// macOS under <c>/usr/bin/sandbox-exec -p</c> with the set's <see cref="SeatbeltProfile"/>.
/// </summary>
public static class SandboxedProcess
{
    /// <summary>
    /// The nono-exec launcher shipped with this library (made executable if the package lost its
    /// mode), for callers that build their own command lines from <see cref="CapabilitySet.ToLauncherArguments"/>.
    /// </summary>
    /// <exception cref="NonoException">UnsupportedPlatform when the launcher is missing.</exception>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string LauncherPath => Native.NativeAssets.Launcher();

    /// <summary>
    /// Starts <paramref name="startInfo"/>'s command in a sandbox. The returned process is nono-exec,
    /// which becomes the command (same pid) once the sandbox is in place. Its exit code is the
    /// command's, or 125 when the sandbox could not be set up (the reason on standard error),
    /// 126 when the command cannot be executed (also when the sandbox denies it), 127 when not found.
    /// On macOS the returned process is sandbox-exec, which also becomes the command (same pid); when
    /// the profile cannot be applied it exits non-zero before the command runs, the reason on standard error.
    /// </summary>
    /// <exception cref="NonoException">InvalidArgument, UnsupportedPlatform, NestedSandbox (macOS: this process is itself sandboxed).</exception>
    public static Process Start(CapabilitySet capabilities, ProcessStartInfo startInfo) =>
        StartLauncher(capabilities, startInfo, []);

    /// <summary>
    /// Starts <paramref name="startInfo"/>'s command in a sandbox, as <see cref="Start(CapabilitySet, ProcessStartInfo)"/>
    /// does, and records what the sandbox denies the command and every process it starts
    /// (<see cref="SandboxRecording.Denials"/>), or runs it unenforced and records what the policy would deny
    /// (<see cref="SandboxRecording.Audit"/>). Read <see cref="RecordedProcess.Denials"/> once the process has exited.
    /// Recording traces the process tree (ptrace): its calls that touch files and sockets cost more, so
    /// record when the answer is wanted (see docs/benchmarks.md).
    /// </summary>
    /// <exception cref="NonoException">InvalidArgument, UnsupportedPlatform.</exception>
    public static RecordedProcess Start(CapabilitySet capabilities, ProcessStartInfo startInfo, SandboxRecording recording)
    {
        if (!Enum.IsDefined(recording))
            throw new NonoException(NonoErrorKind.InvalidArgument, $"invalid recording '{recording}'");
        string? report = null;
        string[] options = [];
        if (recording != SandboxRecording.None)
        {
            // nono-exec creates it (0600) before the sandbox applies; the command never sees it.
            report = Path.Combine(Path.GetTempPath(), $"nono-{Guid.NewGuid():N}.denials");
            options = recording == SandboxRecording.Audit
                ? [LauncherOptions.Audit.Name, LauncherOptions.Report.Name, report]
                : [LauncherOptions.Report.Name, report];
        }
        return new RecordedProcess(StartLauncher(capabilities, startInfo, options), recording, report);
    }

    private static Process StartLauncher(CapabilitySet capabilities, ProcessStartInfo startInfo, string[] launcherOptions)
    {
        if (capabilities is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "capabilities is null");
        return Start(capabilities, [.. capabilities.ToLauncherArguments(), .. launcherOptions], startInfo);
    }

    /// <summary>
    /// As <see cref="Start(CapabilitySet, ProcessStartInfo)"/>, under a ruleset built once by
    /// <see cref="Sandbox.Prepare"/>: no granted path is opened again for this process.
    /// </summary>
    /// <exception cref="NonoException">InvalidArgument, UnsupportedPlatform.</exception>
    public static Process Start(PreparedSandbox sandbox, ProcessStartInfo startInfo)
    {
        if (sandbox is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "sandbox is null");
        using var launch = sandbox.BeginLaunch();
        return Start(sandbox.Capabilities, launch.LauncherArguments, startInfo);
    }

    private static Process Start(CapabilitySet capabilities, IReadOnlyList<string> launcherOptions, ProcessStartInfo startInfo)
    {
        if (startInfo is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "startInfo is null");
        var start = ISandboxBackend.Current.Wrap(capabilities, launcherOptions, startInfo);
        var process = new Process { StartInfo = start.StartInfo };
        if (start.OptionsFile is { } optionsFile)
        {
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => File.Delete(optionsFile);
        }
        try
        {
            process.Start();
        }
        catch
        {
            if (start.OptionsFile is not null)
                File.Delete(start.OptionsFile);
            process.Dispose();
            throw;
        }
        return process;
    }
}
