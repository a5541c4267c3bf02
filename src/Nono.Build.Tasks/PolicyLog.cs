using System.Globalization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>
/// What the build log says about a project's policy: one line at normal verbosity ("sandbox: 12
/// read, 3 write, network blocked, 4 variables scrubbed"), the whole policy at detailed verbosity,
/// once per project per build. The policy is computed by the first step of each project instance
/// (each target framework, every MSBuild task call into the project), which would otherwise say
/// the same thing each time.
/// </summary>
internal static class PolicyLog
{
    public static void Log(TaskLoggingHelper log, IBuildEngine engine, string projectFile, CapabilitySet caps, IReadOnlyList<string> scrubbed, IReadOnlyList<Egress.HostPattern>? hosts = null, int? proxyPort = null)
    {
        var summary = Summary(caps, scrubbed.Count, hosts, proxyPort);
        if (ProjectPolicy.IsRestore(engine) || !FirstTimeThisBuild(engine, $"Nono.Build.PolicyLogged|{projectFile}|{summary}|{string.Join(",", scrubbed)}"))
        {
            log.LogMessage(MessageImportance.Low, "{0} (as logged before for {1})", summary, projectFile);
            return;
        }
        log.LogMessage(MessageImportance.Normal, "{0} ({1})", summary, projectFile);
        if (!log.LogsMessagesOfImportance(MessageImportance.Low))
            return; // not at detailed verbosity: the whole policy would be formatted for nobody
        log.LogMessage(MessageImportance.Low, "Sandbox policy for {0}:\n{1}", projectFile, caps.Summary());
        if (scrubbed.Count > 0)
            log.LogMessage(MessageImportance.Low,
                "Sandbox: steps do not get {0} (secret or code-injection variables; list one in <SandboxEnvironment Include=\"NAME\" /> to pass it).",
                string.Join(", ", scrubbed));
    }

    /// <summary>"sandbox: 12 read, 3 write, network blocked, 4 variables scrubbed".</summary>
    internal static string Summary(CapabilitySet caps, int scrubbed, IReadOnlyList<Egress.HostPattern>? hosts = null, int? proxyPort = null)
    {
        var write = caps.FileSystem.Count(c => c.Access.HasFlag(AccessMode.Write));
        var read = caps.FileSystem.Count - write;
        // A loop, not LINQ over int, and none at all without ports: both compiled at run time (see FileStamp).
        var ports = new List<int>();
        if (caps.TcpConnectPorts.Count > 0)
        {
            foreach (var port in caps.TcpConnectPorts)
            {
                if (port != proxyPort)
                    ports.Add(port);
            }
        }
        var network = caps.NetworkMode == NetworkMode.AllowAll ? "network allowed"
            : ports.Count > 0 ? $"network: TCP port{(ports.Count > 1 ? "s" : "")} {string.Join(", ", ports)}"
            : hosts is { Count: > 0 } ? "network"
            : "network blocked";
        if (caps.NetworkMode != NetworkMode.AllowAll && hosts is { Count: > 0 })
            network += $"{(ports.Count > 0 ? "," : ":")} host{(hosts.Count > 1 ? "s" : "")} {string.Join(", ", hosts)} (through the egress proxy)";
        return string.Create(CultureInfo.InvariantCulture,
            $"sandbox: {read} read, {write} write, {network}, {scrubbed} variable{(scrubbed == 1 ? "" : "s")} scrubbed");
    }

    /// <summary>True the first time <paramref name="key"/> is seen in this build.</summary>
    internal static bool FirstTimeThisBuild(IBuildEngine engine, string key)
    {
        if (engine is not IBuildEngine4 registry)
            return true;
        lock (typeof(PolicyLog))
        {
            if (registry.GetRegisteredTaskObject(key, RegisteredTaskObjectLifetime.Build) is not null)
                return false;
            registry.RegisterTaskObject(key, key, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
            return true;
        }
    }
}
