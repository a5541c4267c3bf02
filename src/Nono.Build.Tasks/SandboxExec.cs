using System.Diagnostics;
using System.Text;
using Microsoft.Build.Framework;
using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>
/// MSBuild's Exec, run under nono-exec (on macOS, sandbox-exec: SandboxExec.MacOS.cs) with the
/// project's sandbox policy plus this call's own Read, Write, Network and Environment. Output parsing, ExitCode and
/// ConsoleOutput are Exec's own; the process start is changed, and on Linux also ToolTask's handling of the
/// running process (output, Timeout, cancellation: SandboxExec.Served.cs), as the launch server starts the step.
/// </summary>
public partial class SandboxExec : Microsoft.Build.Tasks.Exec
{
    private const string LauncherErrorPrefix = "nono-exec: error: ";
    /// <summary>Longest command text quoted in a message naming the step.</summary>
    private const int QuotedCommandLength = 120;

    private ResolvedPolicy? policy;
    private static string? launcher;
    private CapabilitySet? ownCapabilities;
    private PreparedLaunch? launch;
    private PreparedSandbox? ownSandbox;
    private string? stepTemp;
    private bool sharedStep;
    private bool launcherFailed;
    private string? errorsFile;
    private EgressGrant? egress;
    private readonly StepOutputHints hints = new();

    /// <summary>More paths to read (metadata Execute="true" to run programs from them).</summary>
    public ITaskItem[] Read { get; set; } = [];

    /// <summary>More paths to write; a missing directory is created.</summary>
    public ITaskItem[] Write { get; set; } = [];

    /// <summary>More network: 'all', 'PORT', or hosts for the egress proxy (see PolicyItems.AddNetwork).</summary>
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
        var registered = ProjectPolicy.Find(BuildEngine, out var ambiguity);
        if (ambiguity is not null)
        {
            Log.LogError(null, Diagnostics.PolicyNotResolved, null, null, 0, 0, 0, 0,
                $"this Exec is sandboxed, but the projects {ambiguity} share a directory and have different sandbox policies, so it cannot tell which applies and does not run. Give each project its own directory, or the same Sandbox* items.");
            return false;
        }
        if (registered is null)
        {
            Log.LogError(null, Diagnostics.PolicyNotResolved, null, null, 0, 0, 0, 0,
                "this Exec is sandboxed but no sandbox policy was resolved for its project, so it does not run. "
                + "The ResolveSandboxPolicy target (an InitialTarget of Nono.Build.Sdk) must run first: check that the project imports the SDK's targets.");
            return false;
        }
        policy = registered.Resolve(Log, BuildEngine);
        if (policy is null)
            return false; // the settings give no policy; why was logged
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
        var hosts = policy.Hosts.ToList();
        if (Read.Length + Write.Length + Network.Length > 0)
        {
            var caps = policy.Capabilities.Clone();
            var items = new PolicyItems(Log, policy.ProjectDirectory);
            if (!items.AddPaths(caps, Read, Write) || !items.AddNetwork(caps, Network, hosts))
                return false;
            ownCapabilities = caps.Deduplicate();
        }
        if (StepEgress.Needed(ownCapabilities ?? policy.Capabilities, hosts, policy.Recording))
        {
            var proxy = policy.Proxy ?? BuildEgress.Proxy(BuildEngine);
            if (!(ownCapabilities ?? policy.Capabilities).TcpConnectPorts.Contains(proxy.Port))
                ownCapabilities = StepEgress.AllowProxy(ownCapabilities ?? policy.Capabilities.Clone(), proxy);
            egress = proxy.Grant(hosts, audit: policy.Recording == SandboxRecording.Audit);
        }
        try
        {
            return ExecuteSandboxed();
        }
        finally
        {
            egress?.Dispose();
        }
    }

    private bool ExecuteSandboxed()
    {
        if (OperatingSystem.IsMacOS())
            return ExecuteUnderSeatbelt();
        try
        {
            foreach (var output in policy!.OutputDirectories)
                Directory.CreateDirectory(output);
            if (ownCapabilities is null && policy.BeginStep() is { } shared)
            {
                (launch, stepTemp, errorsFile) = shared;
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
            // nono-exec's own errors come back in a file of their own, which the step cannot write:
            // what the step prints is never taken for the SDK's messages.
            errorsFile ??= CreateErrorsFile();
            var stateBefore = BuildState.Take(policy.StateDirectories);
            // A step the launch server ran and that timed out or was canceled fails, as under ToolTask.
            var succeeded = base.Execute() && !terminated;
            if (launch.Records)
                ReportDenials();
            ReportEgress();
            return CheckBuildState(stateBefore) && succeeded;
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
            if (errorsFile is not null && !sharedStep)
                File.Delete(errorsFile);
            var leftOver = sharedStep ? policy!.EndStep()
                : stepTemp is not null && !TempDirectory.TryDelete(stepTemp) ? stepTemp : null;
            if (leftOver is not null)
                Log.LogWarning(null, Diagnostics.TempNotDeleted, null, null, 0, 0, 0, 0,
                    $"what the step left in its temp directory '{leftOver}' could not be deleted; delete it by hand.");
        }
    }

    protected override ProcessStartInfo GetProcessStartInfo(string pathToTool, string commandLineCommands, string responseFileSwitch)
    {
        if (startInfo is not null)
            return startInfo; // made for the launch server, which could not take it
        var psi = base.GetProcessStartInfo(pathToTool, commandLineCommands, responseFileSwitch);
        if (policy is not { Enforce: true } || OperatingSystem.IsWindows())
            return psi;

        if (policy.ScrubEnvironment)
            ScrubEnvironment(psi);
        foreach (var name in new[] { "TMPDIR", "TMP", "TEMP" })
            psi.Environment[name] = stepTemp;
        // After scrubbing, which would take the credential in the proxy address for a secret.
        if (egress is not null)
            foreach (var (name, value) in egress.Environment)
                psi.Environment[name] = value;
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
        if (OperatingSystem.IsMacOS())
            return WrapInSeatbelt(psi);
        // Nothing the step starts outlives it: a background process left running could change the
        // outputs after later targets used them.
        var args = new StringBuilder(512)
            .Append(LauncherOptions.Errors.Name).Append(' ').Append(LauncherCommandLine.Quote(errorsFile!))
            .Append(policy.InheritStandardInput ? "" : " " + LauncherOptions.NullStdin.Name) // not the user's terminal
            .Append(' ').Append(LauncherOptions.KillLeftovers.Name).Append(' ').Append(LauncherCommandLine.Join(launch!.LauncherArguments));
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
            if (!passThrough.Contains(name) && SecretEnvironment.IsDropped(name, psi.Environment[name]))
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

    /// <remarks>
    /// Overridden to read nono-exec's own errors, from the file given to it with <c>--errors</c>,
    /// once the process has exited and before Exec handles its exit code. They never come from the
    /// step's output: a step printing <c>nono-exec: error: …</c> gets no NONO diagnostic.
    /// </remarks>
    protected override int ExecuteTool(string pathToTool, string responseFileCommands, string commandLineCommands)
    {
        var exitCode = ExecuteServed(pathToTool, responseFileCommands, commandLineCommands)
            ?? base.ExecuteTool(pathToTool, responseFileCommands, commandLineCommands);
        if (errorsFile is null || !File.Exists(errorsFile) || new FileInfo(errorsFile).Length == 0)
            return exitCode;
        var lines = File.ReadAllLines(errorsFile);
        File.WriteAllBytes(errorsFile, []); // the project's next step uses it again
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            launcherFailed = true;
            var text = line.StartsWith(LauncherErrorPrefix, StringComparison.Ordinal) ? line[LauncherErrorPrefix.Length..] : line;
            Log.LogError(null, Diagnostics.PolicyRejected, null, null, 0, 0, 0, 0,
                $"the sandbox could not be set up for this step: {text}. Fix or remove the Sandbox* item that names it.");
        }
        return exitCode;
    }

    /// <summary>
    /// After the step: MSBuild's state files in the intermediate folder (<see cref="BuildState"/>)
    /// that it created or changed are deleted, before any later target reads them, and each is an
    /// error (a warning under SandboxMode=Audit, which is for finding what a build needs).
    /// </summary>
    private bool CheckBuildState(BuildState before)
    {
        var changes = before.Changes();
        var audit = policy!.Recording == SandboxRecording.Audit;
        foreach (var (path, change) in changes)
        {
            var deleted = BuildState.TryDelete(path);
            var message = $"the step `{StepName()}` {change}, which MSBuild reads back as its own state (caches, generated configuration): a step may not write it. "
                + (deleted ? "It was deleted; MSBuild makes it again. " : "It could not be deleted: delete it by hand before building again. ")
                + "If the step generates files into the intermediate folder, give them other names (not *.cache, *.editorconfig, *.AssemblyInfo.*, … see docs/policy.md), or write them into a subfolder such as $(IntermediateOutputPath)generated/.";
            if (audit)
                Log.LogWarning(null, Diagnostics.StateChanged, null, BuildEngine.ProjectFileOfTaskNode, BuildEngine.LineNumberOfTaskNode, BuildEngine.ColumnNumberOfTaskNode, 0, 0, message);
            else
                Log.LogError(null, Diagnostics.StateChanged, null, BuildEngine.ProjectFileOfTaskNode, BuildEngine.LineNumberOfTaskNode, BuildEngine.ColumnNumberOfTaskNode, 0, 0, message);
        }
        return audit || changes.Count == 0;
    }

    internal static string CreateErrorsFile()
    {
        // In the build's temp folder, which steps cannot reach (they get a private one inside it).
        var path = Path.Combine(Path.GetTempPath(), $"nono-{Guid.NewGuid():N}.errors");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        new FileStream(path, options).Dispose();
        return path;
    }

    private string StepName()
    {
        var command = (Command ?? "").ReplaceLineEndings(" ").Trim();
        return command.Length <= QuotedCommandLength ? command : command[..QuotedCommandLength] + "…";
    }

    /// <remarks>Overridden to watch the step's output for what a hint can name: a name-resolution failure, a refused connection, "Permission denied".</remarks>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (policy is { Enforce: true })
            hints.Observe(singleLine);
        base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    /// <summary>What the egress proxy refused the step (or, in Audit, what it reached unlisted), from the proxy's own record.</summary>
    private void ReportEgress()
    {
        if (egress is null)
            return;
        var audit = policy!.Recording == SandboxRecording.Audit;
        var failed = !IgnoreExitCode && ExitCode != 0;
        var suggested = EgressReport.Log(Log, egress, audit, failed);
        if (suggested.Count > 0)
            policy.AddAudited([], suggested);
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
        if (terminated)
            return false; // as ToolTask after a timeout or cancellation: its warning said why
        var result = base.HandleTaskExecutionErrors();
        if (policy is { Enforce: true } && policy.Recording != SandboxRecording.Audit && !launcherFailed && !IgnoreExitCode && ExitCode != 0)
        {
            foreach (var hint in hints.Messages(ownCapabilities ?? policy.Capabilities))
                Log.LogMessage(MessageImportance.High, "{0}", hint);
        }
        if (policy is { Enforce: true, Recording: SandboxRecording.None } && !launcherFailed && !IgnoreExitCode && ExitCode != 0)
        {
            Log.LogMessage(MessageImportance.High,
                "{0}: the step ran in the build sandbox; if it failed with 'Permission denied' or similar, the sandbox may have denied an access. "
                + "Build with -p:SandboxDiagnostics=true to have each denial named with the item that allows it, "
                + "or allow what it needs with <SandboxRead Include=\"path\" />, <SandboxWrite Include=\"path\" /> or <SandboxNetwork Include=\"host\" /> (see docs/policy.md).",
                Diagnostics.StepFailed);
        }
        return result;
    }
}

/// <summary>Registered as Exec by Nono.Build.Sdk (UsingTask Override="true"): every Exec in the project is sandboxed.</summary>
public sealed class Exec : SandboxExec;
