using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Build.Framework;
using Nono.Platform;

namespace Nono.Build.Tasks;

/// <summary>
/// SandboxExec on macOS: Exec's script runs under <c>/usr/bin/sandbox-exec -p PROFILE</c>, the
/// project's policy as a Seatbelt profile (<see cref="SeatbeltProfile"/>) with the step's own temp
/// directory. No nono-exec: what it adds on Linux (killing leftover processes, /dev/null as
/// standard input, denial recording, its own error channel) and the check of MSBuild's state files
/// are not done here (docs/policy.md, "macOS").
/// </summary>
public partial class SandboxExec
{
    /// <summary>The step's profile, from <see cref="ExecuteUnderSeatbelt"/> to <see cref="WrapInSeatbelt"/>.</summary>
    private string? seatbeltProfile;
    private string? seatbeltProfileFile;

    [SupportedOSPlatform("macos")]
    private bool ExecuteUnderSeatbelt()
    {
        try
        {
            foreach (var output in policy!.OutputDirectories)
                Directory.CreateDirectory(output);
            stepTemp = Directory.CreateTempSubdirectory("nono-step-").FullName;
            var caps = (ownCapabilities ?? policy.Capabilities.Clone()).AllowPath(stepTemp, ResolvedPolicy.TempAccess, CapabilitySource.System);
            seatbeltProfile = SeatbeltProfile.Generate(caps);
            var succeeded = base.Execute();
            ReportEgress();
            return succeeded;
        }
        catch (NonoException e)
        {
            Log.LogError(null, Diagnostics.PolicyRejected, null, null, 0, 0, 0, 0,
                $"the sandbox could not be set up for this step: {e.Message}. Fix or remove the Sandbox* item that names it.");
            return false;
        }
        finally
        {
            if (seatbeltProfileFile is not null)
                File.Delete(seatbeltProfileFile);
            if (stepTemp is not null && !TempDirectory.TryDelete(stepTemp))
                Log.LogWarning(null, Diagnostics.TempNotDeleted, null, null, 0, 0, 0, 0,
                    $"what the step left in its temp directory '{stepTemp}' could not be deleted; delete it by hand.");
        }
    }

    /// <summary><c>/usr/bin/sandbox-exec -p PROFILE -- /bin/sh -c ". SCRIPT"</c> (absolute: never one found on PATH).</summary>
    [SupportedOSPlatform("macos")]
    private ProcessStartInfo WrapInSeatbelt(ProcessStartInfo psi)
    {
        var arguments = MacSandbox.Arguments(seatbeltProfile!, out seatbeltProfileFile);
        psi.Arguments = $"{LauncherCommandLine.Join(arguments)} {LauncherCommandLine.Quote(psi.FileName)} {psi.Arguments}";
        psi.FileName = MacSandbox.SandboxExec;
        Log.LogMessage(MessageImportance.Low, "Sandboxed with: {0}", psi.Arguments);
        return psi;
    }
}
