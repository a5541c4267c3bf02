using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>
/// A project's sandbox policy as ResolveSandboxPolicy registers it: the repository's settings,
/// already checked and kept from package content. The grants are computed from them at the
/// project's first sandboxed step, once per project instance, so a build (or a restore) that runs
/// no step does not pay for them.
/// </summary>
internal sealed class ProjectPolicy : IDisposable
{
    private readonly Func<TaskLoggingHelper, IBuildEngine, ResolvedPolicy?> compute;
    private readonly object gate = new();
    private ResolvedPolicy? resolved;

    /// <param name="fingerprint">Equal for projects whose settings give the same policy.</param>
    /// <param name="compute">Computes the policy, logging through the first step's task; null when that step must not run (errors logged).</param>
    public ProjectPolicy(string fingerprint, Func<TaskLoggingHelper, IBuildEngine, ResolvedPolicy?> compute)
    {
        Fingerprint = fingerprint;
        this.compute = compute;
    }

    /// <summary>A policy that needs no computing (the sandbox is off, or cannot run here).</summary>
    public static ProjectPolicy Off(bool replaceExec, string projectDirectory)
    {
        var off = ResolvedPolicy.Off(replaceExec, projectDirectory);
        return new ProjectPolicy($"off|{replaceExec}", (_, _) => off);
    }

    public string Fingerprint { get; }

    /// <summary>Whether the project is being built for NuGet's restore (which sets these global properties), not for the build itself.</summary>
    public static bool IsRestore(IBuildEngine engine)
    {
        var globals = engine is IBuildEngine6 e6 ? e6.GetGlobalProperties() : new Dictionary<string, string>();
        return (globals.TryGetValue("ExcludeRestorePackageImports", out var v) && v.Equals("true", StringComparison.OrdinalIgnoreCase))
            || globals.ContainsKey("MSBuildRestoreSessionId");
    }

    /// <summary>The policy, computed by the first step that asks; null, with errors logged, when the settings cannot give one.</summary>
    public ResolvedPolicy? Resolve(TaskLoggingHelper log, IBuildEngine engine)
    {
        lock (gate)
            return resolved ??= compute(log, engine);
    }

    public void Dispose()
    {
        lock (gate)
            resolved?.Dispose();
    }

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

    private static readonly object RegistryLock = new();

    /// <summary>The policies registered for one key, by project file; MSBuild disposes it when the build ends.</summary>
    private sealed class Slot : IDisposable
    {
        public readonly Dictionary<string, ProjectPolicy> ByProject = new(StringComparer.Ordinal);

        public void Dispose()
        {
            lock (RegistryLock)
            {
                foreach (var policy in ByProject.Values)
                    policy.Dispose();
            }
        }
    }

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

    /// <summary>The policy registered for the project being built, or null with the reason.</summary>
    public static ProjectPolicy? Find(IBuildEngine engine, out string? ambiguity)
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
