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
    private bool terminated, canceled;

    /// <summary>The step's exit code, or null where the launch server cannot run it (ToolTask starts nono-exec then).</summary>
    private int? ExecuteServed(string pathToTool, string responseFileCommands, string commandLineCommands)
    {
        if (!OperatingSystem.IsLinux() || policy is not { Enforce: true } || launch is null || responseFileCommands.Length > 0)
            return null;
        var started = false;
        try
        {
            startInfo = GetProcessStartInfo(pathToTool, commandLineCommands, "");
            // Relative as MSBuild 17 gives it: to this node's current directory, as Process would.
            var workingDirectory = Path.GetFullPath(startInfo.WorkingDirectory is { Length: > 0 } directory ? directory : ".");
            using var process = LaunchServer.TryStart(LauncherCommandLine.Split(startInfo.Arguments), startInfo.Environment,
                workingDirectory, launch.RulesetFd);
            if (process is null)
                return null;
            started = true;
            return Supervise(process, Path.GetFileName(pathToTool));
        }
        finally
        {
            if (started && ExecScript(commandLineCommands) is { } script)
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
            {
                process.Kill(); // canceled before it started
                canceled = true;
            }
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
        if (canceled && !terminated)
        {
            Log.LogWarning(null, "MSB5021", null, null, 0, 0, 0, 0,
                $"Terminating the task executable \"{toolName}\" and its child processes because the build was canceled.");
            terminated = true;
        }
        if (exitCode is null)
        {
            Log.LogError(null, Diagnostics.PolicyRejected, null, null, 0, 0, 0, 0,
                "the step's supervisor (nono-exec) gave no exit status: it was killed from outside the build, or was stopped and did not end the step when asked (below Landlock ABI 6 a step can stop it). Build again.");
            return -1;
        }
        // As ToolTask: a step that exits 0 after printing an error line has failed, and Exec says so.
        if (exitCode == 0 && HasLoggedErrors)
        {
            typeof(Microsoft.Build.Utilities.ToolTask).GetProperty("ExitCodeOverriddenToIndicateErrors")?.SetValue(this, true);
            return -1;
        }
        return exitCode.Value;
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
        if (OperatingSystem.IsLinux() && served is { } step)
        {
            step.Kill();
            canceled = true;
        }
    }
}
