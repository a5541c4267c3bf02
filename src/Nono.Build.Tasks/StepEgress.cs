using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>When a step goes through the egress proxy, and what that adds to its policy.</summary>
internal static class StepEgress
{
    /// <summary>
    /// Where the network is not open: when host items are listed, and always under Audit (the
    /// proxy then records the hosts the steps reach, to suggest them).
    /// </summary>
    public static bool Needed(CapabilitySet caps, IReadOnlyCollection<HostPattern> hosts, SandboxRecording recording) =>
        !OperatingSystem.IsWindows() && caps.NetworkMode != NetworkMode.AllowAll && (hosts.Count > 0 || recording == SandboxRecording.Audit);

    /// <summary>
    /// TCP to the proxy's port. With no other port allowed the mode is ProxyOnly, which Seatbelt
    /// narrows to localhost; Landlock's port rules cannot name an address (docs/security.md).
    /// </summary>
    public static CapabilitySet AllowProxy(CapabilitySet caps, EgressProxy proxy)
    {
        if (caps.TcpConnectPorts.Count == 0 || (caps.TcpConnectPorts.Count == 1 && caps.TcpConnectPorts.Contains(proxy.Port)))
            caps.SetNetworkMode(NetworkMode.ProxyOnly);
        return caps.AllowTcpConnect(proxy.Port);
    }
}
