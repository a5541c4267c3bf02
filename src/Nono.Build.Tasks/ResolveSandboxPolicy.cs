using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>
/// Computes a project's sandbox policy from its properties and Sandbox* items and registers it for
/// the sandboxed Exec tasks of the same project instance. Runs from InitialTargets, so the policy
/// exists before any target, also with -t:SomeTarget.
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

    public string EnvironmentMode { get; set; } = "Scrub";

    /// <summary>Error, Warn or Ignore: what to do where the kernel cannot sandbox.</summary>
    public string UnsupportedPlatform { get; set; } = "Error";

    /// <summary>Enforce, or Audit: run steps unenforced, warn about what the policy would deny, suggest items.</summary>
    public string Mode { get; set; } = "Enforce";

    /// <summary>Record what the sandbox denies each step and name it when a step fails.</summary>
    public bool RecordDenials { get; set; }

    /// <summary>
    /// The intermediate output folder, where MSBuild keeps its state (caches, generated
    /// configuration): checked around each step, since the step may write the folder.
    /// </summary>
    public string IntermediateOutputPath { get; set; } = "";

    /// <summary>Null (steps read /dev/null), or Inherit: steps get the build's standard input, the user's terminal in an interactive build.</summary>
    public string StandardInput { get; set; } = "Null";

    /// <summary>Where Audit writes the suggested items (obj/sandbox.suggested.props).</summary>
    public string SuggestedPropsFile { get; set; } = "";

    public override bool Execute()
    {
        // SandboxUnsupportedPlatform is checked by the target, which runs where this task cannot.
        if (!CheckChoice("SandboxEnvironmentMode", EnvironmentMode, "Scrub", "Inherit") || !CheckChoice("SandboxMode", Mode, "Enforce", "Audit")
            || !CheckChoice("SandboxStandardInput", StandardInput, "Null", "Inherit"))
            return false;
        var recording = Mode.Equals("Audit", StringComparison.OrdinalIgnoreCase) ? SandboxRecording.Audit
            : RecordDenials ? SandboxRecording.Denials : SandboxRecording.None;

        var support = Sandbox.Support;
        if (!support.IsSupported)
        {
            var message = $"the build sandbox is not available here: {support.Reason}. Steps cannot run sandboxed; "
                + "set SandboxUnsupportedPlatform=Warn (or Ignore) to run them unsandboxed on such machines, or SandboxEnabled=false.";
            if (UnsupportedPlatform.Equals("Error", StringComparison.OrdinalIgnoreCase))
            {
                Log.LogError(null, Diagnostics.Unavailable, null, null, 0, 0, 0, 0, message);
                return false;
            }
            if (UnsupportedPlatform.Equals("Warn", StringComparison.OrdinalIgnoreCase))
                Log.LogWarning(null, Diagnostics.Unavailable, null, null, 0, 0, 0, 0, message);
            new ResolvedPolicy(false, new CapabilitySet(), false, new HashSet<string>(), ProjectDirectory, [], SandboxRecording.None, "").Register(BuildEngine, ProjectFile);
            return true;
        }

        var caps = new CapabilitySet();
        DefaultPolicy.AddTo(caps);
        foreach (var root in DotnetRoots.Where(r => !string.IsNullOrWhiteSpace(r)))
            DefaultPolicy.TryAllow(caps, root, AccessMode.Read | AccessMode.Execute);
        foreach (var folder in PackageFolders.Where(f => !string.IsNullOrWhiteSpace(f)))
            DefaultPolicy.TryAllow(caps, folder, AccessMode.Read | AccessMode.Execute);
        DefaultPolicy.TryAllow(caps, SourceRoot(ProjectDirectory), AccessMode.Read | AccessMode.Execute);
        var outputs = OutputPaths.Select(o => o.ItemSpec).Where(o => !string.IsNullOrWhiteSpace(o))
            .Select(o => Path.GetFullPath(o, ProjectDirectory)).Distinct().ToList();
        if (!outputs.All(CheckNoPlantedSymlink))
            return false;
        foreach (var output in outputs)
        {
            Directory.CreateDirectory(output);
            caps.AllowPath(output, AccessMode.ReadWrite, CapabilitySource.System);
        }

        var grants = new PolicyItems(Log, ProjectDirectory);
        if (!grants.AddPaths(caps, Read, Write) || !grants.AddNetwork(caps, Network))
            return false;
        caps.Deduplicate();

        var passThrough = new HashSet<string>(Environment.Select(e => e.ItemSpec), StringComparer.Ordinal);
        new ResolvedPolicy(true, caps, EnvironmentMode.Equals("Scrub", StringComparison.OrdinalIgnoreCase), passThrough, ProjectDirectory, outputs, recording, SuggestedPropsFile)
        {
            InheritStandardInput = StandardInput.Equals("Inherit", StringComparison.OrdinalIgnoreCase),
            StateDirectories = string.IsNullOrWhiteSpace(IntermediateOutputPath) ? outputs : [Path.GetFullPath(IntermediateOutputPath, ProjectDirectory)],
        }.Register(BuildEngine, ProjectFile);
        if (recording == SandboxRecording.Audit)
            Log.LogWarning(null, Diagnostics.Audit, null, null, 0, 0, 0, 0,
                $"SandboxMode=Audit: this project's steps run unsandboxed; what the policy would deny is a warning, and the items that would allow it go to '{SuggestedPropsFile}'. Review them, add them to the project, and remove SandboxMode to enforce.");
        Log.LogMessage(MessageImportance.Normal, "Sandbox policy for {0}:\n{1}", ProjectDirectory, caps.Summary());
        LogScrubbedEnvironment(passThrough);
        return true;
    }

    /// <summary>Names (never values) of the build's variables that steps will not get.</summary>
    private void LogScrubbedEnvironment(IReadOnlySet<string> passThrough)
    {
        if (!EnvironmentMode.Equals("Scrub", StringComparison.OrdinalIgnoreCase))
            return;
        var dropped = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => !passThrough.Contains(name) && SecretEnvironment.Reason(name) is not null)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (dropped.Count > 0)
            Log.LogMessage(MessageImportance.Normal,
                "Sandbox: steps do not get {0} (secret or code-injection variables; list one in <SandboxEnvironment Include=\"NAME\" /> to pass it).",
                string.Join(", ", dropped));
    }

    private bool CheckChoice(string name, string value, params string[] choices)
    {
        if (choices.Contains(value, StringComparer.OrdinalIgnoreCase))
            return true;
        Log.LogError(null, Diagnostics.Unavailable, null, null, 0, 0, 0, 0,
            $"{name} is '{value}'; use one of: {string.Join(", ", choices)}.");
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
    private bool CheckNoPlantedSymlink(string output)
    {
        for (var dir = output; dir.StartsWith(ProjectDirectory + "/", StringComparison.Ordinal); dir = Path.GetDirectoryName(dir)!)
        {
            if (new FileInfo(dir).LinkTarget is { } target)
            {
                Log.LogError(null, Diagnostics.BadPath, null, null, 0, 0, 0, 0,
                    $"the output folder '{output}' goes through the symlink '{dir}' (to '{target}'), which a build step may have planted to widen the sandbox; delete the link and build again.");
                return false;
            }
        }
        return true;
    }
}
