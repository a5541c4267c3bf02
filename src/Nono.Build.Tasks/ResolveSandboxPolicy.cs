using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>
/// Reads a project's sandbox settings (its switches, properties and Sandbox* items as the
/// repository and the command line set them) and registers them for the sandboxed Exec tasks of
/// the same project instance, which compute the grants at the first step (<see cref="Grants"/>).
/// Runs from InitialTargets, so the settings are taken as evaluated, before any target, also with
/// -t:SomeTarget.
/// </summary>
public sealed class ResolveSandboxPolicy : Microsoft.Build.Utilities.Task
{
    [Required] public string ProjectFile { get; set; } = "";

    private string ProjectDirectory => Path.GetDirectoryName(ProjectFile)!;

    /// <summary>obj/, bin/ and the other output folders: writable, created if missing.</summary>
    public ITaskItem[] OutputPaths { get; set; } = [];

    /// <summary>NuGet package folders: read and execute, never write.</summary>
    public string[] PackageFolders { get; set; } = [];

    /// <summary>The .NET installation (NetCoreRoot, DOTNET_HOST_PATH's folder).</summary>
    public string[] DotnetRoots { get; set; } = [];

    public ITaskItem[] Read { get; set; } = [];
    public ITaskItem[] Write { get; set; } = [];
    public ITaskItem[] Network { get; set; } = [];
    public ITaskItem[] Environment { get; set; } = [];

    /// <summary>SandboxEnabled: true, or false for MSBuild's own Exec.</summary>
    public string Enabled { get; set; } = "true";

    /// <summary>SandboxReplaceExec: true, or false to sandbox only SandboxExec.</summary>
    public string ReplaceExec { get; set; } = "true";

    public string EnvironmentMode { get; set; } = "Scrub";

    /// <summary>Error, Warn or Ignore: what to do where the kernel cannot sandbox.</summary>
    public string UnsupportedPlatform { get; set; } = "Error";

    /// <summary>Enforce, or Audit: run steps unenforced, warn about what the policy would deny, suggest items.</summary>
    public string Mode { get; set; } = "Enforce";

    /// <summary>SandboxDiagnostics: record what the sandbox denies each step and name it when a step fails.</summary>
    public string Diagnostics { get; set; } = "false";

    /// <summary>
    /// The intermediate output folder, where MSBuild keeps its state (caches, generated
    /// configuration): checked around each step, since the step may write the folder.
    /// </summary>
    public string IntermediateOutputPath { get; set; } = "";

    /// <summary>Null (steps read /dev/null), or Inherit: steps get the build's standard input, the user's terminal in an interactive build.</summary>
    public string StandardInput { get; set; } = "Null";

    /// <summary>Where Audit writes the suggested items (obj/sandbox.suggested.props).</summary>
    public string SuggestedPropsFile { get; set; } = "";

    /// <summary>Whether the repository left the sandbox on: the target then checks that every Exec reaches it.</summary>
    [Output] public bool Active { get; private set; }

    /// <summary>Package registrations of Exec's names, for the message should the probe find one in effect.</summary>
    [Output] public string ExecRegistrations { get; private set; } = "";

    public override bool Execute()
    {
        var origin = new BuildFileOrigin(PackageFolders,
            OutputPaths.Select(o => Path.GetFullPath(o.ItemSpec, ProjectDirectory)), BuildFileOrigin.OwnPackageFolder);
        var live = new RepositorySettings.Settings(Enabled, ReplaceExec, Mode, EnvironmentMode, UnsupportedPlatform, Diagnostics, StandardInput,
            OutputPaths, IntermediateOutputPath, PackageFolders, DotnetRoots, Read, Write, Network, Environment);
        if (RepositorySettings.Resolve(this, ProjectFile, origin, live, out var registrations) is not { } settings)
            return false;
        ExecRegistrations = registrations;

        if (!CheckChoice("SandboxEnabled", settings.Enabled, "true", "false") || !CheckChoice("SandboxReplaceExec", settings.ReplaceExec, "true", "false")
            || !CheckChoice("SandboxDiagnostics", settings.Diagnostics, "true", "false"))
            return false;
        var enabled = settings.Enabled.Equals("true", StringComparison.OrdinalIgnoreCase);
        var replaceExec = settings.ReplaceExec.Equals("true", StringComparison.OrdinalIgnoreCase);
        if (!enabled)
        {
            ProjectPolicy.Off(replaceExec, ProjectDirectory).Register(BuildEngine, ProjectFile);
            return true;
        }
        Active = true;
        if (!CheckChoice("SandboxUnsupportedPlatform", settings.UnsupportedPlatform, "Error", "Warn", "Ignore")
            || !CheckChoice("SandboxEnvironmentMode", settings.EnvironmentMode, "Scrub", "Inherit") || !CheckChoice("SandboxMode", settings.Mode, "Enforce", "Audit")
            || !CheckChoice("SandboxStandardInput", settings.StandardInput, "Null", "Inherit"))
            return false;
        var recording = settings.Mode.Equals("Audit", StringComparison.OrdinalIgnoreCase) ? SandboxRecording.Audit
            : settings.Diagnostics.Equals("true", StringComparison.OrdinalIgnoreCase) ? SandboxRecording.Denials : SandboxRecording.None;

        if (OperatingSystem.IsMacOS() && recording != SandboxRecording.None)
        {
            // Recording is nono-exec's (ptrace), and Linux's: on macOS the steps run enforced, as without it.
            Log.LogWarning(null, Tasks.Diagnostics.Unavailable, null, null, 0, 0, 0, 0,
                "SandboxDiagnostics=true and SandboxMode=Audit record what the sandbox denies, which is Linux-only for now: on macOS the steps run sandboxed and unrecorded. Remove the property, or run the build on Linux to find what the steps need.");
            recording = SandboxRecording.None;
        }
        // Now, not at the first step: a planted link stops the build whatever the step's ContinueOnError,
        // and the folders exist when MSBuild expands the steps' commands (it turns '\' into '/' in paths that exist).
        var outputs = settings.OutputPaths.Select(o => o.ItemSpec).Where(o => !string.IsNullOrWhiteSpace(o))
            .Select(o => Path.GetFullPath(o, ProjectDirectory)).Distinct().ToList();
        if (!outputs.All(o => CheckNoPlantedSymlink(Log, ProjectDirectory, o)))
            return false;
        foreach (var output in outputs)
            Directory.CreateDirectory(output);
        var (projectFile, projectDirectory, suggestedPropsFile) = (ProjectFile, ProjectDirectory, SuggestedPropsFile);
        // The toolchains are granted from PATH as it is now: in-process code may change it before the first step.
        var environment = System.Environment.GetEnvironmentVariables();
        // The items as they are now: later targets may change MSBuild's own.
        settings = settings with
        {
            OutputPaths = Copy(settings.OutputPaths), Read = Copy(settings.Read), Write = Copy(settings.Write),
            Network = Copy(settings.Network), Environment = Copy(settings.Environment),
        };
        new ProjectPolicy(Fingerprint(settings), (log, engine) => Grants(settings, projectFile, projectDirectory, outputs, environment, origin, replaceExec, recording, suggestedPropsFile, log, engine))
            .Register(BuildEngine, ProjectFile);
        if (!ProjectPolicy.IsRestore(BuildEngine) && RepositorySettings.CurrentProject(BuildEngine) is { } project
            && MachinePolicy.RunsSteps(project, settings.DotnetRoots))
            MachinePolicy.Prefetch(BuildEngine);
        if (recording == SandboxRecording.Audit && PolicyLog.FirstTimeThisBuild(BuildEngine, "Nono.Build.AuditWarned|" + ProjectFile))
            Log.LogWarning(null, Tasks.Diagnostics.Audit, null, null, 0, 0, 0, 0,
                $"SandboxMode=Audit: this project's steps run unsandboxed; what the policy would deny is a warning, and the items that would allow it go to '{SuggestedPropsFile}'. Review them, add them to the project, and remove SandboxMode to enforce.");
        return true;
    }

    /// <summary>
    /// The project's grants: the default policy, the user's toolchains, the sources, the outputs and
    /// the Sandbox* items. Logged through the first step's task; null when that step must not run.
    /// </summary>
    private static ResolvedPolicy? Grants(RepositorySettings.Settings settings, string projectFile, string projectDirectory, List<string> outputs, System.Collections.IDictionary environment, BuildFileOrigin origin,
        bool replaceExec, SandboxRecording recording, string suggestedPropsFile, TaskLoggingHelper log, IBuildEngine engine)
    {
        var support = Sandbox.Support;
        if (!support.IsSupported)
        {
            var message = $"the build sandbox is not available here: {support.Reason}. Steps cannot run sandboxed; "
                + "set SandboxUnsupportedPlatform=Warn (or Ignore) to run them unsandboxed on such machines, or SandboxEnabled=false.";
            if (settings.UnsupportedPlatform.Equals("Error", StringComparison.OrdinalIgnoreCase))
            {
                log.LogError(null, Tasks.Diagnostics.Unavailable, null, null, 0, 0, 0, 0, message);
                return null;
            }
            if (settings.UnsupportedPlatform.Equals("Warn", StringComparison.OrdinalIgnoreCase))
                log.LogWarning(null, Tasks.Diagnostics.Unavailable, null, null, 0, 0, 0, 0, message);
            return ResolvedPolicy.Off(replaceExec, projectDirectory);
        }

        var caps = MachinePolicy.Grants(engine);
        var gitConfig = Path.Combine(Path.GetDirectoryName(suggestedPropsFile) ?? projectDirectory, "sandbox.gitconfig");
        var withheld = GitCredentials.HideFromSteps(gitConfig);
        DefaultPolicy.AddGitUserConfig(caps, withheld);
        foreach (var root in settings.DotnetRoots.Where(r => !string.IsNullOrWhiteSpace(r)))
            DefaultPolicy.TryAllow(caps, root, AccessMode.Read | AccessMode.Execute);
        foreach (var folder in settings.PackageFolders.Where(f => !string.IsNullOrWhiteSpace(f)))
            DefaultPolicy.TryAllow(caps, folder, AccessMode.Read | AccessMode.Execute);
        string? Variable(string name) => environment[name] as string;
        foreach (var warning in UserToolchains.AddTo(caps, Variable("PATH"), Variable("HOME"), Variable))
        {
            if (PolicyLog.FirstTimeThisBuild(engine, "Nono.Build.PathWarned|" + warning))
                log.LogWarning(null, Tasks.Diagnostics.PathEntry, null, null, 0, 0, 0, 0, warning);
        }
        var sourceRoot = SourceRoot(projectDirectory);
        DefaultPolicy.TryAllow(caps, sourceRoot, AccessMode.Read | AccessMode.Execute);
        foreach (var output in outputs)
            caps.AllowPath(output, AccessMode.ReadWrite, CapabilitySource.System);

        var dotnetRoots = settings.DotnetRoots.Where(r => !string.IsNullOrWhiteSpace(r) && Path.IsPathRooted(r))
            .Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)) + "/").ToList();
        if (!DeclaredItems.Check(log, projectFile, RepositorySettings.CurrentProject(engine), origin, dotnetRoots))
            return null;
        var grants = new PolicyItems(log, projectDirectory);
        var hosts = new List<HostPattern>();
        if (!grants.AddPaths(caps, settings.Read, settings.Write) || !grants.AddNetwork(caps, settings.Network, hosts))
            return null;
        caps.Deduplicate();
        var proxy = StepEgress.Needed(caps, hosts, recording) ? BuildEgress.Proxy(engine) : null;
        if (proxy is not null)
            StepEgress.AllowProxy(caps, proxy);

        var passThrough = new HashSet<string>(settings.Environment.Select(e => e.ItemSpec), StringComparer.Ordinal);
        var policy = new ResolvedPolicy(true, replaceExec, caps, settings.EnvironmentMode.Equals("Scrub", StringComparison.OrdinalIgnoreCase), passThrough, projectDirectory, outputs, recording, suggestedPropsFile)
        {
            Origin = origin,
            Hosts = hosts,
            Proxy = proxy,
            GitConfigGlobal = withheld.Count > 0 ? gitConfig : null,
            InheritStandardInput = settings.StandardInput.Equals("Inherit", StringComparison.OrdinalIgnoreCase),
            StateDirectories = string.IsNullOrWhiteSpace(settings.IntermediateOutputPath) ? outputs : [Path.GetFullPath(settings.IntermediateOutputPath, projectDirectory)],
        };
        PolicyLog.Log(log, engine, projectFile, caps, ScrubbedEnvironment(passThrough, settings.EnvironmentMode), hosts, proxy?.Port);
        GitCredentials.Warn(log, engine, sourceRoot);
        return policy;
    }

    /// <summary>The settings a policy is computed from, as text: equal for projects that get the same policy.</summary>
    private static string Fingerprint(RepositorySettings.Settings s) => string.Join("\n",
        [s.Enabled, s.ReplaceExec, s.Mode, s.EnvironmentMode, s.UnsupportedPlatform, s.Diagnostics, s.StandardInput, s.IntermediateOutputPath,
         .. s.PackageFolders, "|", .. s.DotnetRoots, "|",
         .. new[] { s.OutputPaths, s.Read, s.Write, s.Network, s.Environment }.SelectMany(items => items.Select(Item).Append("|"))]);

    private static ITaskItem[] Copy(ITaskItem[] items) => items.Select(i => (ITaskItem)new TaskItem(i)).ToArray();

    private static string Item(ITaskItem item) =>
        string.Join("\0", RepositorySettings.ItemMetadata.Select(item.GetMetadata).Prepend(item.ItemSpec));

    /// <summary>Names (never values) of the build's variables that steps will not get.</summary>
    private static List<string> ScrubbedEnvironment(IReadOnlySet<string> passThrough, string environmentMode)
    {
        if (!environmentMode.Equals("Scrub", StringComparison.OrdinalIgnoreCase))
            return [];
        var variables = System.Environment.GetEnvironmentVariables();
        return variables.Keys.Cast<string>()
            .Where(name => !passThrough.Contains(name) && SecretEnvironment.Reason(name, variables[name] as string) is not null)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private bool CheckChoice(string name, string value, params string[] choices)
    {
        if (choices.Contains(value, StringComparer.OrdinalIgnoreCase))
            return true;
        Log.LogError(null, Tasks.Diagnostics.Unavailable, null, null, 0, 0, 0, 0, choices is ["true", "false"]
            ? $"{name} is '{value}'; use true or false."
            : $"{name} is '{value}'; use one of: {string.Join(", ", choices)}.");
        return false;
    }

    /// <summary>
    /// The enclosing repository's root (a folder holding .git), else the project folder. Never the
    /// home folder or /: a dotfiles repository must not make all of home readable.
    /// </summary>
    internal static string SourceRoot(string projectDirectory)
    {
        var home = System.Environment.GetEnvironmentVariable("HOME")?.TrimEnd('/');
        for (var dir = new DirectoryInfo(projectDirectory); dir?.Parent is not null && dir.FullName != home; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
                return dir.FullName;
        }
        return projectDirectory;
    }

    /// <summary>
    /// An output folder inside the project reached through a symlink is refused: a step can
    /// write there, so it could have planted the link to point the next build's write grant
    /// anywhere.
    /// </summary>
    private static bool CheckNoPlantedSymlink(TaskLoggingHelper log, string projectDirectory, string output)
    {
        for (var dir = output; dir.StartsWith(projectDirectory + "/", StringComparison.Ordinal); dir = Path.GetDirectoryName(dir)!)
        {
            if (new FileInfo(dir).LinkTarget is { } target)
            {
                log.LogError(null, Tasks.Diagnostics.BadPath, null, null, 0, 0, 0, 0,
                    $"the output folder '{output}' goes through the symlink '{dir}' (to '{target}'), which a build step may have planted to widen the sandbox; delete the link and build again.");
                return false;
            }
        }
        return true;
    }
}
