using Microsoft.Build.Framework;
using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>
/// The build's egress proxy: one per MSBuild process that launches steps, started by the first
/// project or step that needs it and registered with MSBuild for the build's lifetime, so MSBuild
/// disposes it when the build ends (a reused node keeps no proxy, no listener, no credential).
/// </summary>
internal static class BuildEgress
{
    private const string Key = "Nono.Build.EgressProxy";
    private static readonly object StartLock = new();

    public static EgressProxy Proxy(IBuildEngine engine)
    {
        var registry = (IBuildEngine4)engine;
        lock (StartLock)
        {
            if (registry.GetRegisteredTaskObject(Key, RegisteredTaskObjectLifetime.Build) is EgressProxy running)
                return running;
            var proxy = new EgressProxy();
            registry.RegisterTaskObject(Key, proxy, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
            return proxy;
        }
    }
}
