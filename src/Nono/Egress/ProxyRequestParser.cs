using System.Globalization;
using System.Text;

namespace Nono.Egress;

/// <summary>
/// Parses the head of a request to the egress proxy, strictly: lines end in CRLF, no folded
/// headers, no control characters (NUL included), no bytes above 0x7E, bounded lengths. What
/// it cannot read unambiguously is refused (<see cref="ProxyRequestException"/>), never
/// guessed at: the host it returns is the one the proxy checks and connects to.
/// </summary>
public static class ProxyRequestParser
{
    /// <summary>Longest request head accepted, CRLFs included.</summary>
    public const int MaxHeadLength = 16 * 1024;

    /// <summary>Longest line accepted.</summary>
    public const int MaxLineLength = 8 * 1024;

    /// <summary>Most header fields accepted.</summary>
    public const int MaxHeaders = 100;

    /// <summary>The length of the head in <paramref name="buffer"/> (through the empty line), or -1 while it is incomplete.</summary>
    public static int HeadLength(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf("\r\n\r\n"u8);
        return end < 0 ? -1 : end + 4;
    }

    /// <summary>Parses a request head (with or without its final empty line).</summary>
    /// <exception cref="ProxyRequestException">The head is malformed, or asks for something the proxy does not do.</exception>
    public static ProxyRequest Parse(ReadOnlySpan<byte> head)
    {
        if (head.Length > MaxHeadLength)
            throw new ProxyRequestException($"the request head is longer than {MaxHeadLength} bytes");
        foreach (var b in head)
            if (b > 0x7E || (b < 0x20 && b is not ((byte)'\r' or (byte)'\n' or (byte)'\t')))
                throw new ProxyRequestException("the request head holds a control character or a byte outside ASCII");
        var text = Encoding.ASCII.GetString(head);
        if (text.EndsWith("\r\n\r\n", StringComparison.Ordinal))
            text = text[..^4];
        var lines = text.Split("\r\n");
        foreach (var line in lines)
        {
            if (line.Length > MaxLineLength)
                throw new ProxyRequestException($"a line of the request is longer than {MaxLineLength} bytes");
            if (line.Contains('\r') || line.Contains('\n'))
                throw new ProxyRequestException("a line of the request ends in a bare CR or LF (only CRLF is accepted)");
        }
        if (lines.Length - 1 > MaxHeaders)
            throw new ProxyRequestException($"the request has more than {MaxHeaders} header fields");

        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
            throw new ProxyRequestException("the request line is not 'METHOD TARGET HTTP/1.1'");
        var (method, target, version) = (parts[0], parts[1], parts[2]);
        if (!method.All(IsTokenChar))
            throw new ProxyRequestException("the method is not a token");
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
            throw new ProxyRequestException($"'{version}' is not HTTP/1.1 or HTTP/1.0");

        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        foreach (var line in lines.AsSpan(1))
        {
            if (line.Length == 0 || line[0] is ' ' or '\t')
                throw new ProxyRequestException("a header field is empty or folded onto the line before");
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAnyExcept(TokenChars))
                throw new ProxyRequestException("a header field has no name, or a name that is not a token");
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }
        if (headers.Count(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)) > 1)
            throw new ProxyRequestException("the request has more than one Host header");
        if (headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            && headers.Any(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            throw new ProxyRequestException("the request has both Transfer-Encoding and Content-Length");

        if (method == "CONNECT")
        {
            var (host, port) = Authority(target, defaultPort: null);
            return new ProxyRequest(method, host, port, "", version, headers);
        }
        const string scheme = "http://";
        if (!target.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw new ProxyRequestException(target.StartsWith('/')
                ? "the request target is a path: a proxy needs the absolute form ('http://host/path'), or CONNECT"
                : "only http:// requests and CONNECT are proxied (an https:// address goes through CONNECT)");
        var rest = target[scheme.Length..];
        var pathStart = rest.IndexOfAny(['/', '?', '#']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 ? "/" : rest[pathStart..];
        if (path.Contains('#'))
            throw new ProxyRequestException("the request target has a fragment");
        if (path.StartsWith('?'))
            path = "/" + path;
        var (uriHost, uriPort) = Authority(authority, defaultPort: 80);
        var hostHeader = headers.FirstOrDefault(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value;
        if (hostHeader is null)
        {
            if (version == "HTTP/1.1")
                throw new ProxyRequestException("the HTTP/1.1 request has no Host header");
        }
        else if (Authority(hostHeader, defaultPort: 80) != (uriHost, uriPort))
            throw new ProxyRequestException($"the Host header '{hostHeader}' names another host than the request target '{EgressHost.Authority(uriHost, uriPort)}'");
        return new ProxyRequest(method, uriHost, uriPort, path, version, headers);
    }

    /// <summary>"host:port", "[v6]:port" or (with a default port) "host": the canonical host and port.</summary>
    private static (string Host, int Port) Authority(string authority, int? defaultPort)
    {
        if (authority.Contains('@'))
            throw new ProxyRequestException("the request target carries user information ('user@host')");
        var colon = authority.LastIndexOf(':');
        var hostText = authority;
        int port;
        if (colon >= 0 && (!authority.StartsWith('[') || authority.LastIndexOf(']') < colon))
        {
            hostText = authority[..colon];
            var portText = authority[(colon + 1)..];
            if (portText.Length is 0 or > 5 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                throw new ProxyRequestException($"'{portText}' is not a TCP port (1-65535)");
        }
        else if (defaultPort is { } d)
            port = d;
        else
            throw new ProxyRequestException("CONNECT needs 'host:port'");
        return (EgressHost.Normalize(hostText) ?? throw new ProxyRequestException($"'{hostText}' is not a host name, an IPv4 address or an IPv6 address in brackets"), port);
    }

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static bool IsTokenChar(char c) => TokenChars.Contains(c);
}
