using System.Diagnostics;
using Microsoft.Build.Framework;

namespace Nono.Build.Tasks;

/// <summary>
/// On Linux the step starts under the node's launch server (nono-exec --serve, Nono's
/// LaunchServer), not as a process of MSBuild's: what ToolTask's ExecuteTool does around the
/// process — output lines logged as they come, stderr as errors with LogStandardErrorAsError,
/// Timeout, cancellation, YieldDuringToolExecution — is done here the same way.
/// </summary>
public partial class SandboxExec
{
    private ProcessStartInfo? startInfo;
    private ServedProcess? served;
    private bool terminated;

    /// <summary>The step's exit code, or null where the launch server cannot run it (ToolTask starts nono-exec then).</summary>
    private int? ExecuteServed(string pathToTool, string responseFileCommands, string commandLineCommands)
    {
        if (!OperatingSystem.IsLinux() || policy is not { Enforce: true } || launch is null || responseFileCommands.Length > 0)
            return null;
        startInfo = GetProcessStartInfo(pathToTool, commandLineCommands, "");
        var workingDirectory = startInfo.WorkingDirectory is { Length: > 0 } directory ? directory : Directory.GetCurrentDirectory();
        using var process = LaunchServer.TryStart(LauncherCommandLine.Split(startInfo.Arguments), startInfo.Environment,
            workingDirectory, launch.RulesetFd);
        if (process is null)
            return null;
        try
        {
            return Supervise(process, Path.GetFileName(pathToTool));
        }
        finally
        {
            if (ExecScript(commandLineCommands) is { } script)
                DeleteTempFile(script); // Exec's own ExecuteTool, not run here, would have
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private int Supervise(ServedProcess process, string toolName)
    {
        served = process;
        if (YieldDuringToolExecution)
            BuildEngine3.Yield();
        int? exitCode;
        try
        {
            if (ToolCanceled.WaitOne(0))
                process.Kill(); // canceled before it started
            exitCode = process.Run(LogLine, StandardOutputEncoding, StandardErrorEncoding, Timeout, () =>
            {
                Log.LogWarning(null, "MSB5002", null, null, 0, 0, 0, 0,
                    $"Terminating the task executable \"{toolName}\" because it did not finish within the specified limit of {Timeout} milliseconds.");
                terminated = true;
            });
        }
        finally
        {
            served = null;
            if (YieldDuringToolExecution)
                BuildEngine3.Reacquire();
        }
        if (ToolCanceled.WaitOne(0) && !terminated)
        {
            Log.LogWarning(null, "MSB5021", null, null, 0, 0, 0, 0,
                $"Terminating the task executable \"{toolName}\" and its child processes because the build was canceled.");
            terminated = true;
        }
        if (exitCode is null)
        {
            Log.LogError(null, Diagnostics.PolicyRejected, null, null, 0, 0, 0, 0,
                "the step's supervisor (nono-exec) ended without its exit status: it was killed from outside the build. Build again.");
            return -1;
        }
        // As ToolTask: a step that exits 0 after printing an error line has failed.
        return exitCode == 0 && HasLoggedErrors ? -1 : exitCode.Value;
    }

    private void LogLine(string line, bool standardError)
    {
        if (standardError && LogStandardErrorAsError)
            Log.LogError(line);
        else
            LogEventsFromTextOutput(line, standardError ? StandardErrorImportanceToUse : StandardOutputImportanceToUse);
    }

    /// <remarks>Overridden to end a step the launch server runs, which ToolTask does not know of.</remarks>
    public override void Cancel()
    {
        base.Cancel();
        if (OperatingSystem.IsLinux())
            served?.Kill();
    }
}
