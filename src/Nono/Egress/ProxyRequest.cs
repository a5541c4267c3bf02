namespace Nono.Egress;

/// <summary>
/// A request to the egress proxy, parsed from its head by <see cref="ProxyRequestParser"/>:
/// <c>CONNECT host:port</c> (a tunnel) or a plain HTTP request in absolute form
/// (<c>GET http://host:port/path HTTP/1.1</c>).
/// </summary>
/// <param name="Method">The method, as sent.</param>
/// <param name="Host">The canonical target host (<see cref="EgressHost.Normalize"/>).</param>
/// <param name="Port">The target port.</param>
/// <param name="PathAndQuery">For plain HTTP, the origin-form target to send on ("/a?b"); empty for CONNECT.</param>
/// <param name="Version">"HTTP/1.1" or "HTTP/1.0".</param>
/// <param name="Headers">The header fields in order, names as sent.</param>
public sealed record ProxyRequest(string Method, string Host, int Port, string PathAndQuery, string Version, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>A CONNECT tunnel.</summary>
    public bool IsConnect => Method == "CONNECT";

    /// <summary>The value of the first header named <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
                return value;
        return null;
    }
}

/// <summary>Why a request head was not accepted: the proxy answers 400 with it.</summary>
public sealed class ProxyRequestException(string message) : Exception(message);
