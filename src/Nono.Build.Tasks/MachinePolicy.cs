using Microsoft.Build.Framework;

namespace Nono.Build.Tasks;

/// <summary>
/// The grants every step gets from the machine (<see cref="DefaultPolicy"/>: the toolchain, /etc
/// without its secrets — a walk of hundreds of entries as root), computed once per node and build
/// on a pool thread as soon as the policy target of a project that runs steps has run, while
/// MSBuild goes on with other targets; a project's first step then takes a copy instead of
/// computing them, and finds the ruleset code and the launch server warm. Nothing in it comes
/// from a project.
/// </summary>
internal sealed class MachinePolicy
{
    private const string Key = "Nono.Build.MachinePolicy";
    private static readonly object Gate = new();
    private readonly Task<CapabilitySet> grants = Task.Run(() => Warm(Compute()));

    /// <summary>
    /// Whether the project looks like it runs steps, worth the computation ahead: a pre- or
    /// post-build event, or an Exec in a target that is neither the .NET SDK's or MSBuild's own
    /// (those run Exec only for such events and `dotnet run`) nor this SDK's (its registration
    /// probes). A wrong guess costs time, never a grant.
    /// </summary>
    public static bool RunsSteps(Microsoft.Build.Execution.ProjectInstance project, IEnumerable<string> dotnetRoots)
    {
        if (project.GetPropertyValue("PreBuildEvent").Length > 0 || project.GetPropertyValue("PostBuildEvent").Length > 0)
            return true;
        var known = dotnetRoots.Where(r => Path.IsPathRooted(r)).Append(BuildFileOrigin.OwnPackageFolder)
            .Select(r => Path.TrimEndingDirectorySeparator(r) + "/").ToList();
        return project.Targets.Values.Any(t => !known.Any(r => t.FullPath.StartsWith(r, StringComparison.Ordinal))
            && t.Tasks.Any(task => task.Name is "Exec" or "SandboxExec" or "Microsoft.Build.Tasks.Exec"));
    }

    /// <summary>Starts the computation for this build, unless it has started.</summary>
    public static void Prefetch(IBuildEngine engine)
    {
        var registry = (IBuildEngine4)engine;
        lock (Gate)
        {
            if (registry.GetRegisteredTaskObject(Key, RegisteredTaskObjectLifetime.Build) is null)
                registry.RegisterTaskObject(Key, new MachinePolicy(), RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
        }
    }

    /// <summary>A copy of this build's machine grants: prefetched, or computed now.</summary>
    public static CapabilitySet Grants(IBuildEngine engine)
    {
        MachinePolicy? prefetched;
        lock (Gate)
            prefetched = ((IBuildEngine4)engine).GetRegisteredTaskObject(Key, RegisteredTaskObjectLifetime.Build) as MachinePolicy;
        if (prefetched is null)
            return Compute();
        try
        {
            prefetched.grants.Wait();
        }
        catch (AggregateException)
        {
            return Compute(); // failed ahead: again here, where the error reaches the step
        }
        return prefetched.grants.Result.Clone();
    }

    private static CapabilitySet Compute()
    {
        var caps = new CapabilitySet();
        DefaultPolicy.AddTo(caps);
        return caps.Deduplicate();
    }

    /// <summary>
    /// What the first step would otherwise pay for: loading libnono, the ruleset code's first run,
    /// the launch server's start. Optional: the step does all of it itself if this failed.
    /// </summary>
    private static CapabilitySet Warm(CapabilitySet caps)
    {
        if (OperatingSystem.IsLinux() && Sandbox.Support.IsSupported)
        {
            try
            {
                Sandbox.Prepare(caps).Dispose();
                LaunchServer.Prestart();
            }
            catch (Exception e) when (e is NonoException or IOException or UnauthorizedAccessException)
            {
            }
        }
        return caps;
    }
}
