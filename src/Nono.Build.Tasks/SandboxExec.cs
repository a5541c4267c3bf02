using System.Diagnostics;
using System.Text;
using Microsoft.Build.Framework;

namespace Nono.Build.Tasks;

/// <summary>
/// MSBuild's Exec, run under nono-exec with the project's sandbox policy plus this call's own
/// Read, Write, Network and Environment. Everything else — output parsing, ExitCode,
/// ConsoleOutput, Timeout, cancellation — is Exec's own: only the process start is changed.
/// </summary>
public class SandboxExec : Microsoft.Build.Tasks.Exec
{
    private const string LauncherErrorPrefix = "nono-exec: error: ";

    private ResolvedPolicy? policy;
    private static string? launcher;
    private CapabilitySet? ownCapabilities;
    private PreparedLaunch? launch;
    private PreparedSandbox? ownSandbox;
    private string? stepTemp;
    private bool sharedStep;
    private bool launcherFailed;
    private readonly StepOutputHints hints = new();

    /// <summary>More paths to read (metadata Execute="true" to run programs from them).</summary>
    public ITaskItem[] Read { get; set; } = [];

    /// <summary>More paths to write; a missing directory is created.</summary>
    public ITaskItem[] Write { get; set; } = [];

    /// <summary>More network: 'all' or 'PORT' (see PolicyItems.AddNetwork).</summary>
    public ITaskItem[] Network { get; set; } = [];

    /// <summary>More environment variables to pass through unscrubbed.</summary>
    public ITaskItem[] Environment { get; set; } = [];

    /// <summary>
    /// The SDK's policy target calls each name of Exec with this command: the sandboxed task runs
    /// nothing and answers in Outputs; MSBuild's own Exec runs a shell comment and answers nothing.
    /// </summary>
    internal const string RegistrationProbe = "# Nono.Build.Sdk registration probe";

    /// <remarks>Overridden to run the command under the project's sandbox policy, or as MSBuild's Exec where the repository turned the sandbox off.</remarks>
    public override bool Execute()
    {
        if (Command == RegistrationProbe)
        {
            Outputs = [new Microsoft.Build.Utilities.TaskItem("Nono.Build.Sdk")];
            return true;
        }
        policy = ResolvedPolicy.Find(BuildEngine, out var ambiguity);
        if (ambiguity is not null)
        {
            Log.LogError(null, Diagnostics.PolicyNotResolved, null, null, 0, 0, 0, 0,
                $"this Exec is sandboxed, but the projects {ambiguity} share a directory and have different sandbox policies, so it cannot tell which applies and does not run. Give each project its own directory, or the same Sandbox* items.");
            return false;
        }
        if (policy is null)
        {
            Log.LogError(null, Diagnostics.PolicyNotResolved, null, null, 0, 0, 0, 0,
                "this Exec is sandboxed but no sandbox policy was resolved for its project, so it does not run. "
                + "The ResolveSandboxPolicy target (an InitialTarget of Nono.Build.Sdk) must run first: check that the project imports the SDK's targets.");
            return false;
        }
        if (!policy.Enforce || (!policy.ReplaceExec && this is Exec))
        {
            policy = null; // MSBuild's Exec, unchanged
            return base.Execute();
        }

        if (Read.Length + Write.Length + Network.Length + Environment.Length > 0 && policy.Origin?.Untrusted(BuildEngine.ProjectFileOfTaskNode) is { } owner)
        {
            Log.LogWarning(null, Diagnostics.PackageSetting, null, null, 0, 0, 0, 0,
                $"{owner} asks for more sandbox grants for its own step (SandboxExec Read, Write, Network or Environment); only the repository and the command line configure the build sandbox, so the step runs with the project's policy. If the repository agrees, add the items to the project.");
            Read = Write = Network = Environment = [];
        }
        if (Read.Length + Write.Length + Network.Length > 0)
        {
            var caps = policy.Capabilities.Clone();
            var items = new PolicyItems(Log, policy.ProjectDirectory);
            if (!items.AddPaths(caps, Read, Write) || !items.AddNetwork(caps, Network))
                return false;
            ownCapabilities = caps.Deduplicate();
        }
        try
        {
            foreach (var output in policy.OutputDirectories)
                Directory.CreateDirectory(output);
            if (ownCapabilities is null && policy.BeginStep() is { } shared)
            {
                (launch, stepTemp) = shared;
                sharedStep = true;
            }
            else
            {
                // A ruleset of this step's own, used once (kept until the step ends: a recording
                // launch reads the policy from the prepared sandbox's options file).
                stepTemp = Directory.CreateTempSubdirectory("nono-step-").FullName;
                var caps = (ownCapabilities ?? policy.Capabilities.Clone()).AllowPath(stepTemp, ResolvedPolicy.TempAccess, CapabilitySource.System);
                ownSandbox = Sandbox.Prepare(caps);
                launch = ownSandbox.BeginLaunch(policy.Recording);
            }
            var succeeded = base.Execute();
            if (launch.Records)
                ReportDenials();
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
            launch?.Dispose();
            ownSandbox?.Dispose();
            var leftOver = sharedStep ? policy.EndStep()
                : stepTemp is not null && !TempDirectory.TryDelete(stepTemp) ? stepTemp : null;
            if (leftOver is not null)
                Log.LogWarning(null, Diagnostics.TempNotDeleted, null, null, 0, 0, 0, 0,
                    $"what the step left in its temp directory '{leftOver}' could not be deleted; delete it by hand.");
        }
    }

    protected override ProcessStartInfo GetProcessStartInfo(string pathToTool, string commandLineCommands, string responseFileSwitch)
    {
        var psi = base.GetProcessStartInfo(pathToTool, commandLineCommands, responseFileSwitch);
        if (policy is not { Enforce: true } || OperatingSystem.IsWindows())
            return psi;

        if (policy.ScrubEnvironment)
            ScrubEnvironment(psi);
        foreach (var name in new[] { "TMPDIR", "TMP", "TEMP" })
            psi.Environment[name] = stepTemp;
        if (policy.GitConfigGlobal is { } gitConfig)
            psi.Environment["GIT_CONFIG_GLOBAL"] = gitConfig;

        // The ruleset cannot grow per step: the step runs a copy of Exec's script in its own temp
        // directory, which the ruleset allows.
        if (ExecScript(commandLineCommands) is { } script)
        {
            var copy = Path.Combine(stepTemp!, Path.GetFileName(script));
            File.Copy(script, copy);
            psi.Arguments = psi.Arguments.Replace(script, copy, StringComparison.Ordinal);
        }
        // Nothing the step starts outlives it: a background process left running could change the
        // outputs after later targets used them.
        var args = new StringBuilder("--kill-leftovers ", 512).Append(LauncherCommandLine.Join(launch!.LauncherArguments));
        args.Append(" -- ").Append(LauncherCommandLine.Quote(psi.FileName)).Append(' ').Append(psi.Arguments);
        psi.FileName = launcher ??= LocateLauncher();
        psi.Arguments = args.ToString();
        Log.LogMessage(MessageImportance.Low, "Sandboxed with: {0}", psi.Arguments);
        return psi;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string LocateLauncher()
    {
        try
        {
            return SandboxedProcess.LauncherPath;
        }
        catch (NonoException e)
        {
            // Fail closed: ToolTask reports the start failure and the step does not run unsandboxed.
            Log.LogError(null, Diagnostics.LauncherMissing, null, null, 0, 0, 0, 0,
                $"{e.Message}. The Nono.Build.Sdk package is incomplete: restore it again (delete it from the NuGet package folder).");
            throw;
        }
    }

    private void ScrubEnvironment(ProcessStartInfo psi)
    {
        var passThrough = new HashSet<string>(policy!.PassThrough, StringComparer.Ordinal);
        passThrough.UnionWith(Environment.Select(e => e.ItemSpec));
        var dropped = new List<string>();
        foreach (var name in psi.Environment.Keys.ToList())
        {
            if (!passThrough.Contains(name) && SecretEnvironment.Reason(name, psi.Environment[name]) is not null)
            {
                psi.Environment.Remove(name);
                dropped.Add(name);
            }
        }
        if (dropped.Count > 0)
        {
            dropped.Sort(StringComparer.Ordinal);
            Log.LogMessage(MessageImportance.Low,
                "Sandbox: not passing {0} to the step (secret or code-injection variables; list one in <SandboxEnvironment Include=\"NAME\" /> to pass it).",
                string.Join(", ", dropped));
        }
    }

    /// <summary>
    /// The .exec.cmd script Exec wrote, from its command line: `-c ". /tmp/x.exec.cmd"` (MSBuild 18)
    /// or `-c """export LANG=...; . /tmp/x.exec.cmd"""` (older). Not found: the script is not
    /// copied, the step cannot read the original and fails, never runs wider.
    /// </summary>
    internal static string? ExecScript(string commandLine)
    {
        var end = commandLine.LastIndexOf(".exec.cmd", StringComparison.Ordinal);
        var start = end < 0 ? -1 : commandLine.LastIndexOf(". ", end, StringComparison.Ordinal);
        if (start < 0)
            return null;
        var path = commandLine[(start + 2)..(end + ".exec.cmd".Length)].Trim().TrimStart('\\', '"', '\'');
        return Path.IsPathRooted(path) ? path : null;
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (policy is { Enforce: true } && singleLine.StartsWith(LauncherErrorPrefix, StringComparison.Ordinal))
        {
            launcherFailed = true;
            Log.LogError(null, Diagnostics.PolicyRejected, null, null, 0, 0, 0, 0,
                $"the sandbox could not be set up for this step: {singleLine[LauncherErrorPrefix.Length..]}. Fix or remove the Sandbox* item that names it.");
            return;
        }
        if (policy is { Enforce: true })
            hints.Observe(singleLine);
        base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    private void ReportDenials()
    {
        var (recorded, truncated) = launch!.ReadDenials();
        var denials = RuntimeNoise.Without(recorded);
        var audit = policy!.Recording == SandboxRecording.Audit;
        var failed = !IgnoreExitCode && ExitCode != 0;
        if (audit && denials.Count > 0)
            policy.AddAudited(denials);
        if (denials.Count > 0)
            DenialReport.Log(Log, denials, truncated, audit, failed);
        else if (failed && !audit && !launcherFailed)
            Log.LogMessage(MessageImportance.High, "{0}: the sandbox denied this step nothing; it failed for reasons of its own.", Diagnostics.Denied);
    }

    protected override bool HandleTaskExecutionErrors()
    {
        var result = base.HandleTaskExecutionErrors();
        if (policy is { Enforce: true } && policy.Recording != SandboxRecording.Audit && !launcherFailed && !IgnoreExitCode && ExitCode != 0)
            hints.Log(Log, ownCapabilities ?? policy.Capabilities);
        if (policy is { Enforce: true, Recording: SandboxRecording.None } && !launcherFailed && !IgnoreExitCode && ExitCode != 0)
        {
            Log.LogMessage(MessageImportance.High,
                "{0}: the step ran in the build sandbox; if it failed with 'Permission denied' or similar, the sandbox may have denied an access. "
                + "Build with -p:SandboxDiagnostics=true to have each denial named with the item that allows it, "
                + "or allow what it needs with <SandboxRead Include=\"path\" />, <SandboxWrite Include=\"path\" /> or <SandboxNetwork Include=\"port\" /> (see docs/policy.md).",
                Diagnostics.StepFailed);
        }
        return result;
    }
}

/// <summary>Registered as Exec by Nono.Build.Sdk (UsingTask Override="true"): every Exec in the project is sandboxed.</summary>
public sealed class Exec : SandboxExec;
