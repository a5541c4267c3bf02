namespace Nono.Egress;

/// <summary>What the egress proxy did with one host and port for a grant.</summary>
public enum EgressOutcome
{
    /// <summary>Not in the grant's items: refused with 403.</summary>
    NotListed,

    /// <summary>Listed, but it resolved only to addresses the proxy does not reach (link-local, metadata; loopback or private for a .DOMAIN item): refused with 403.</summary>
    AddressRefused,

    /// <summary>Listed, but the name did not resolve or no address accepted the connection: 502.</summary>
    Unreachable,

    /// <summary>Connected (recorded in audit grants only: the hosts a process contacted).</summary>
    Contacted,
}

/// <summary>One thing the egress proxy recorded for a grant: a refusal, or (audit) a host contacted.</summary>
/// <param name="Host">The canonical host asked for.</param>
/// <param name="Port">The port asked for.</param>
/// <param name="Outcome">What the proxy did.</param>
/// <param name="Listed">Whether an item of the grant matched (in audit, false: an item to suggest).</param>
/// <param name="Detail">For refusals, the addresses or the error, in words; empty otherwise.</param>
public sealed record EgressEvent(string Host, int Port, EgressOutcome Outcome, bool Listed, string Detail)
{
    /// <summary>The SandboxNetwork item that would allow it.</summary>
    public string Item => HostPattern.ItemFor(Host, Port);
}
