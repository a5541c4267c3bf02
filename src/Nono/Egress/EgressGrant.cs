namespace Nono.Egress;

/// <summary>
/// One process tree's use of an <see cref="EgressProxy"/>: its own credential, mapped to its own
/// allow list, and the record of what the proxy refused it (or, in audit, what it contacted).
/// Give the process <see cref="Environment"/> and TCP to <see cref="Port"/> only
/// (<see cref="CapabilitySet.AllowTcpConnect"/>); dispose the grant when it has ended: the
/// credential stops working.
/// </summary>
public sealed class EgressGrant : IDisposable
{
    /// <summary>Most distinct events kept; a process that asks for more hosts gets the rest refused unrecorded.</summary>
    public const int MaxEvents = 256;

    private readonly EgressProxy proxy;
    private readonly List<EgressEvent> events = [];
    private readonly HashSet<(string, int, EgressOutcome)> seen = [];
    private bool truncated;

    internal EgressGrant(EgressProxy proxy, string token, IReadOnlyList<HostPattern> allowed, bool audit)
    {
        this.proxy = proxy;
        Token = token;
        Allowed = allowed;
        Audit = audit;
    }

    internal string Token { get; }

    /// <summary>The hosts this grant allows.</summary>
    public IReadOnlyList<HostPattern> Allowed { get; }

    /// <summary>Audit: every host is allowed (never a link-local or metadata address), and each one contacted is recorded.</summary>
    public bool Audit { get; }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port => proxy.Port;

    /// <summary>The proxy address with this grant's credential: http://nono:TOKEN@127.0.0.1:PORT.</summary>
    public string ProxyUrl => $"http://nono:{Token}@127.0.0.1:{Port}";

    /// <summary>
    /// HTTP_PROXY, HTTPS_PROXY and ALL_PROXY (upper and lower case) set to <see cref="ProxyUrl"/>;
    /// NO_PROXY (both cases) sends nothing listed around the proxy: "localhost,127.0.0.1,::1" when
    /// no item names a loopback host (a process's own local servers, reached directly where a port
    /// item allows it), else empty. npm's own settings (npm_config_proxy, _https_proxy, _noproxy)
    /// likewise, since they outrank the variables and a user's or project's .npmrc may set them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var noProxy = Allowed.Any(p => p.Host is "localhost" or "127.0.0.1" or "[::1]" || p.Host.EndsWith(".localhost", StringComparison.Ordinal))
                ? "" : "localhost,127.0.0.1,::1";
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY" })
            {
                env[name] = ProxyUrl;
                env[name.ToLowerInvariant()] = ProxyUrl;
            }
            env["NO_PROXY"] = env["no_proxy"] = noProxy;
            env["npm_config_proxy"] = env["npm_config_https_proxy"] = ProxyUrl;
            env["npm_config_noproxy"] = noProxy;
            return env;
        }
    }

    /// <summary>What the proxy recorded, in the order it happened.</summary>
    public IReadOnlyList<EgressEvent> Events
    {
        get
        {
            lock (events)
                return events.ToArray();
        }
    }

    /// <summary>Whether events were dropped past <see cref="MaxEvents"/>.</summary>
    public bool Truncated
    {
        get
        {
            lock (events)
                return truncated;
        }
    }

    /// <summary>The item that allows <paramref name="host"/>:<paramref name="port"/>, one naming the host before a .DOMAIN one; or null.</summary>
    public HostPattern? Match(string host, int port) =>
        Allowed.FirstOrDefault(p => p.IsExplicit && p.Matches(host, port)) ?? Allowed.FirstOrDefault(p => p.Matches(host, port));

    internal void Record(EgressEvent e)
    {
        lock (events)
        {
            if (events.Count >= MaxEvents)
            {
                truncated |= !seen.Contains((e.Host, e.Port, e.Outcome));
                return;
            }
            if (seen.Add((e.Host, e.Port, e.Outcome)))
                events.Add(e);
        }
    }

    /// <summary>Revokes the credential; connections already through stay open until either end closes.</summary>
    public void Dispose() => proxy.Revoke(this);
}
