namespace Nono;

/// <summary>What a sandboxed process may do on the network.</summary>
public enum NetworkMode
{
    /// <summary>No network: every socket family but stream/seqpacket Unix socketpairs is refused, TCP only to the ports allowed.</summary>
    Blocked,

    /// <summary>No network restriction.</summary>
    AllowAll,

    /// <summary>
    /// Reserved for an egress proxy: enforced exactly as <see cref="Blocked"/>, so only the TCP ports
    /// allowed (the proxy's) can be reached.
    /// </summary>
    ProxyOnly,
}
