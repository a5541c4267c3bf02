using Microsoft.Build.Framework;
using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>A project's sandbox policy, computed at its first sandboxed step (<see cref="ProjectPolicy"/>) and used by every sandboxed Exec in it.</summary>
/// <param name="Enforce">False where the repository set SandboxEnabled=false, or the platform cannot sandbox and SandboxUnsupportedPlatform allows running anyway.</param>
/// <param name="ReplaceExec">SandboxReplaceExec: false, and Exec is MSBuild's own (only SandboxExec is sandboxed).</param>
/// <param name="Capabilities">The project's grants (without the per-step temp directory and script).</param>
/// <param name="ScrubEnvironment">SandboxEnvironmentMode=Scrub.</param>
/// <param name="PassThrough">Variables listed in SandboxEnvironment.</param>
/// <param name="ProjectDirectory">Relative per-step paths resolve against it.</param>
/// <param name="OutputDirectories">The writable output folders, re-created before each step if a target removed them.</param>
/// <param name="Recording">Denials (SandboxDiagnostics=true), Audit (SandboxMode=Audit) or None.</param>
/// <param name="SuggestedPropsFile">Where Audit writes the items that would allow what the steps were denied.</param>
internal sealed record ResolvedPolicy(
    bool Enforce,
    bool ReplaceExec,
    CapabilitySet Capabilities,
    bool ScrubEnvironment,
    IReadOnlySet<string> PassThrough,
    string ProjectDirectory,
    IReadOnlyList<string> OutputDirectories,
    SandboxRecording Recording,
    string SuggestedPropsFile) : IDisposable
{
    /// <summary>MSBuild's own Exec: the repository turned the sandbox off, or it cannot run here and the repository allows running unsandboxed.</summary>
    public static ResolvedPolicy Off(bool replaceExec, string projectDirectory) =>
        new(false, replaceExec, new CapabilitySet(), false, new HashSet<string>(), projectDirectory, [], SandboxRecording.None, "");

    /// <summary>SandboxStandardInput=Inherit: steps read the build's standard input (by default /dev/null, never the user's terminal).</summary>
    public bool InheritStandardInput { get; init; }

    /// <summary>The folders whose MSBuild state each step is checked for (<see cref="BuildState"/>): the intermediate output folder.</summary>
    public IReadOnlyList<string> StateDirectories { get; init; } = [];

    /// <summary>Tells the repository's files from package content: a package's SandboxExec gets no grants of its own.</summary>
    public BuildFileOrigin? Origin { get; init; }

    /// <summary>The project's SandboxNetwork host items, reached through the egress proxy.</summary>
    public IReadOnlyList<HostPattern> Hosts { get; init; } = [];

    /// <summary>The build's egress proxy, whose port <see cref="Capabilities"/> allows: where the project lists hosts, or under Audit; else null.</summary>
    public EgressProxy? Proxy { get; init; }

    /// <summary>The user's git configuration without its credentials, for steps (GIT_CONFIG_GLOBAL); null when it holds none.</summary>
    public string? GitConfigGlobal { get; init; }

    /// <summary>The step's temp directory: everything, links included (unlike the outputs, where MSBuild's own tasks would follow them).</summary>
    public const AccessMode TempAccess = AccessMode.ReadWrite | AccessMode.CreateSymlink;

    private readonly object stepLock = new();
    private readonly List<SandboxDenial> audited = [];
    private readonly List<string> auditedHosts = [];
    private PreparedSandbox? prepared;
    private string? stepTemp;
    private string? stepErrors;
    private bool stepRunning;

    /// <summary>
    /// Starts a step under the project's ruleset, built by the first step (and again if a target
    /// replaced a writable folder since), so a step opens none of the policy's paths. Returns the
    /// launch (dispose it once the step has ended), the project's steps' temp directory, which
    /// the ruleset allows writing, and the file for nono-exec's own errors (empty); or null while another step of the project is running (an Exec
    /// that yielded its node), which then needs a ruleset and temp directory of its own.
    /// Call <see cref="EndStep"/> afterwards.
    /// </summary>
    /// <exception cref="NonoException">The ruleset could not be built.</exception>
    public (PreparedLaunch Launch, string Temp, string Errors)? BeginStep()
    {
        lock (stepLock)
        {
            if (stepRunning)
                return null;
            if (stepTemp is null || !Directory.Exists(stepTemp))
            {
                stepTemp = Directory.CreateTempSubdirectory("nono-step-").FullName;
                prepared?.Dispose(); // it allows the old directory
                prepared = null;
            }
            if (prepared is not { IsCurrent: true })
            {
                prepared?.Dispose();
                prepared = null; // not a disposed one, should Prepare throw
                prepared = Sandbox.Prepare(Capabilities.Clone().AllowPath(stepTemp, TempAccess, CapabilitySource.System));
            }
            stepErrors ??= SandboxExec.CreateErrorsFile();
            var launch = prepared.BeginLaunch(Recording);
            stepRunning = true;
            return (launch, stepTemp, stepErrors);
        }
    }

    /// <summary>
    /// Empties the temp directory for the next step. Returns null, or the directory that could not
    /// be emptied: it is abandoned and the next step gets a new one.
    /// </summary>
    public string? EndStep()
    {
        lock (stepLock)
        {
            stepRunning = false;
            if (stepTemp is null || TempDirectory.TryEmpty(stepTemp))
                return null;
            var abandoned = stepTemp;
            stepTemp = null;
            return abandoned;
        }
    }

    /// <summary>Audit: adds a step's would-be denials and rewrites the project's suggested props file.</summary>
    public void AddAudited(IEnumerable<SandboxDenial> denials) => AddAudited(denials, []);

    /// <summary>Audit: adds a step's would-be denials and the hosts it reached through the egress proxy unlisted, and rewrites the project's suggested props file.</summary>
    public void AddAudited(IEnumerable<SandboxDenial> denials, IEnumerable<string> hosts)
    {
        lock (audited)
        {
            audited.AddRange(denials);
            foreach (var host in hosts)
                if (!auditedHosts.Contains(host))
                    auditedHosts.Add(host);
            var home = System.Environment.GetEnvironmentVariable("HOME")?.TrimEnd('/');
            var suggestions = SandboxSuggestion.Fold(audited, home);
            if (!suggestions.Any(s => s is { Kind: "SandboxNetwork", Include: "all" }))
                suggestions = [.. suggestions, .. auditedHosts.Select(h => new SandboxSuggestion("SandboxNetwork", h))];
            SuggestedProps.Write(SuggestedPropsFile, suggestions);
        }
    }

    public void Dispose()
    {
        lock (stepLock)
        {
            prepared?.Dispose();
            prepared = null;
            if (stepTemp is not null)
                TempDirectory.TryDelete(stepTemp);
            stepTemp = null;
            if (stepErrors is not null)
                File.Delete(stepErrors);
            stepErrors = null;
        }
    }
}
