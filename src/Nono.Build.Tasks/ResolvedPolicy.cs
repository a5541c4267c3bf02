using Microsoft.Build.Framework;
using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>A project's sandbox policy, resolved once per project instance and used by every sandboxed Exec in it.</summary>
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
    /// <summary>
    /// A task cannot see which project it runs for, only the project's directory (MSBuild makes it
    /// the current directory while the project builds) and the project's global properties. Policies
    /// are registered under those; projects sharing both are told apart in <see cref="Slot"/>.
    /// </summary>
    private static string Key(IBuildEngine engine)
    {
        var globals = engine is IBuildEngine6 e6
            ? string.Join(";", e6.GetGlobalProperties().OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"{p.Key}={p.Value}"))
            : "";
        return $"Nono.Build.Policy|{Directory.GetCurrentDirectory()}|{globals}";
    }

    /// <summary>The policies registered for one key, by project file; MSBuild disposes it when the build ends.</summary>
    private sealed class Slot : IDisposable
    {
        public readonly Dictionary<string, ResolvedPolicy> ByProject = new(StringComparer.Ordinal);

        public void Dispose()
        {
            lock (RegistryLock)
            {
                foreach (var policy in ByProject.Values)
                    policy.Dispose();
            }
        }
    }

    /// <summary>SandboxStandardInput=Inherit: steps read the build's standard input (by default /dev/null, never the user's terminal).</summary>
    public bool InheritStandardInput { get; init; }

    /// <summary>The folders whose MSBuild state each step is checked for (<see cref="BuildState"/>): the intermediate output folder.</summary>
    public IReadOnlyList<string> StateDirectories { get; init; } = [];

    private static readonly object RegistryLock = new();

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
    private bool stepRunning;

    /// <summary>
    /// Starts a step under the project's ruleset, built by the first step (and again if a target
    /// replaced a writable folder since), so a step opens none of the policy's paths. Returns the
    /// launch (dispose it once the step has ended) and the project's steps' temp directory, which
    /// the ruleset allows writing; or null while another step of the project is running (an Exec
    /// that yielded its node), which then needs a ruleset and temp directory of its own.
    /// Call <see cref="EndStep"/> afterwards.
    /// </summary>
    /// <exception cref="NonoException">The ruleset could not be built.</exception>
    public (PreparedLaunch Launch, string Temp)? BeginStep()
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
            var launch = prepared.BeginLaunch(Recording);
            stepRunning = true;
            return (launch, stepTemp);
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
        }
    }

    private string? fingerprint;

    private string Fingerprint => fingerprint ??=
        $"{Enforce}|{ReplaceExec}|{Recording}|{ScrubEnvironment}|{InheritStandardInput}|{string.Join(",", PassThrough.Order(StringComparer.Ordinal))}|{string.Join("\n", Capabilities.ToLauncherArguments())}|{string.Join(",", Hosts)}";

    public void Register(IBuildEngine engine, string projectFile)
    {
        var registry = (IBuildEngine4)engine;
        var key = Key(engine);
        lock (RegistryLock)
        {
            if (registry.GetRegisteredTaskObject(key, RegisteredTaskObjectLifetime.Build) is not Slot slot)
            {
                slot = new Slot();
                registry.RegisterTaskObject(key, slot, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
            }
            slot.ByProject[projectFile] = this;
        }
    }

    /// <summary>The policy for the project being built, or null with the reason.</summary>
    public static ResolvedPolicy? Find(IBuildEngine engine, out string? ambiguity)
    {
        ambiguity = null;
        lock (RegistryLock)
        {
            if (((IBuildEngine4)engine).GetRegisteredTaskObject(Key(engine), RegisteredTaskObjectLifetime.Build) is not Slot slot)
                return null;
            var policies = slot.ByProject.Values.ToList();
            if (policies.Count == 1 || policies.Select(p => p.Fingerprint).Distinct().Count() == 1)
                return policies[0];
            ambiguity = string.Join(", ", slot.ByProject.Keys.Order(StringComparer.Ordinal));
            return null;
        }
    }
}
