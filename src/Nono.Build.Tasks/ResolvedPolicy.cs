using Microsoft.Build.Framework;

namespace Nono.Build.Tasks;

/// <summary>A project's sandbox policy, resolved once per project instance and used by every sandboxed Exec in it.</summary>
/// <param name="Enforce">False only where the platform cannot sandbox and SandboxUnsupportedPlatform allows running anyway.</param>
/// <param name="Capabilities">The project's grants (without the per-step temp directory and script).</param>
/// <param name="ScrubEnvironment">SandboxEnvironmentMode=Scrub.</param>
/// <param name="PassThrough">Variables listed in SandboxEnvironment.</param>
/// <param name="ProjectDirectory">Relative per-step paths resolve against it.</param>
/// <param name="OutputDirectories">The writable output folders, re-created before each step if a target removed them.</param>
internal sealed record ResolvedPolicy(
    bool Enforce,
    CapabilitySet Capabilities,
    bool ScrubEnvironment,
    IReadOnlySet<string> PassThrough,
    string ProjectDirectory,
    IReadOnlyList<string> OutputDirectories)
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

    /// <summary>The policies registered for one key, by project file.</summary>
    private sealed class Slot
    {
        public readonly Dictionary<string, ResolvedPolicy> ByProject = new(StringComparer.Ordinal);
    }

    private static readonly object RegistryLock = new();
    private string? launcherOptions;

    /// <summary>The project's nono-exec options, quoted once and reused by every step.</summary>
    public string LauncherOptions => launcherOptions ??= LauncherCommandLine.Join(Capabilities.ToLauncherArguments());

    private string Fingerprint =>
        $"{Enforce}|{ScrubEnvironment}|{string.Join(",", PassThrough.Order(StringComparer.Ordinal))}|{LauncherOptions}";

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
            if (policies.Select(p => p.Fingerprint).Distinct().Count() == 1)
                return policies[0];
            ambiguity = string.Join(", ", slot.ByProject.Keys.Order(StringComparer.Ordinal));
            return null;
        }
    }
}
