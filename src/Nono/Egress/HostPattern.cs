using System.Globalization;

namespace Nono.Egress;

/// <summary>
/// One host the egress proxy lets a process reach: <c>HOST</c>, <c>HOST:PORT</c>, <c>.DOMAIN</c>
/// (the domain and every subdomain), <c>.DOMAIN:PORT</c>; HOST may be an IPv4 address or an IPv6
/// address in brackets. Without a port, the web ports 443 and 80.
/// </summary>
public sealed record HostPattern
{
    /// <summary>The ports a pattern without one allows: HTTPS and HTTP.</summary>
    public static readonly IReadOnlyList<int> WebPorts = [443, 80];

    private HostPattern(string host, bool domain, int? port)
    {
        Host = host;
        IsDomain = domain;
        Port = port;
    }

    /// <summary>The canonical host (or domain, without its leading dot).</summary>
    public string Host { get; }

    /// <summary>A <c>.DOMAIN</c> pattern: the domain and its subdomains.</summary>
    public bool IsDomain { get; }

    /// <summary>The one port allowed; null: <see cref="WebPorts"/>.</summary>
    public int? Port { get; }

    /// <summary>
    /// Whether the pattern names its host exactly (a name or an address, not a domain): only then
    /// may the host's addresses be loopback or private (see <see cref="AddressCheck"/>).
    /// </summary>
    public bool IsExplicit => !IsDomain;

    /// <summary>Parses a pattern.</summary>
    /// <exception cref="NonoException">InvalidArgument, with what is wrong.</exception>
    public static HostPattern Parse(string text) =>
        TryParse(text, out var pattern, out var problem) ? pattern : throw new NonoException(NonoErrorKind.InvalidArgument, problem);

    /// <summary>Parses a pattern; false with the problem in words.</summary>
    public static bool TryParse(string text, out HostPattern pattern, out string problem)
    {
        pattern = null!;
        var spec = text.Trim();
        int? port = null;
        var hostEnd = spec.Length;
        var colon = spec.LastIndexOf(':');
        if (colon >= 0 && (spec[0] != '[' || spec.LastIndexOf(']') < colon))
        {
            if (!int.TryParse(spec.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                problem = $"'{spec[(colon + 1)..]}' is not a TCP port (1-65535)";
                return false;
            }
            port = p;
            hostEnd = colon;
        }
        var domain = spec.StartsWith('.');
        var hostText = spec.AsSpan(domain ? 1 : 0, hostEnd - (domain ? 1 : 0));
        if (EgressHost.Normalize(hostText) is not { } host)
        {
            problem = $"'{hostText}' is not a host name, an IPv4 address or an IPv6 address in brackets";
            return false;
        }
        if (domain && EgressHost.IsAddress(host))
        {
            problem = $"'.{host}' names an address as a domain; write the address alone";
            return false;
        }
        pattern = new HostPattern(host, domain, port);
        problem = "";
        return true;
    }

    /// <summary>Whether a request for <paramref name="host"/> (canonical) on <paramref name="port"/> is allowed.</summary>
    public bool Matches(string host, int port) =>
        (Port is { } p ? p == port : port is 443 or 80)
        && (IsDomain
            ? host.Length > Host.Length ? host.EndsWith(Host, StringComparison.Ordinal) && host[^(Host.Length + 1)] == '.' : host == Host
            : host == Host);

    /// <summary>The item text: "api.example.com", ".example.com:8443", "[::1]:8080".</summary>
    public override string ToString() =>
        (IsDomain ? "." : "") + Host + (Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "");

    /// <summary>The item that would allow <paramref name="host"/>:<paramref name="port"/>: the host alone for the web ports.</summary>
    public static string ItemFor(string host, int port) => port is 443 or 80 ? host : EgressHost.Authority(host, port);
}
