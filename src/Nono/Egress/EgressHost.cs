using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Nono.Egress;

/// <summary>
/// Host names and IP literals as the egress proxy compares them: lower case, without a trailing
/// dot, IPv6 in brackets in its canonical text. Anything else (a percent-escape, an IPv6 zone,
/// an IPv4 address written as one number or in hex, which resolvers read as an address) is not a
/// host and is refused rather than guessed at.
/// </summary>
public static class EgressHost
{
    /// <summary>Longest host name DNS allows (without the trailing dot).</summary>
    public const int MaxLength = 253;

    /// <summary>The canonical form of <paramref name="text"/> ("Example.COM." → "example.com", "[::FFFF:1.2.3.4]" → "[::ffff:1.2.3.4]"), or null if it is not a host.</summary>
    public static string? Normalize(ReadOnlySpan<char> text)
    {
        if (text.Length == 0 || text.Length > MaxLength + 2)
            return null;
        if (text[0] == '[')
        {
            if (text[^1] != ']' || text.Length < 4)
                return null;
            var inner = text[1..^1];
            foreach (var c in inner)
                if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
                    return null; // no zone ("%eth0"), no spaces
            return IPAddress.TryParse(inner, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? "[" + v6.ToString() + "]"
                : null;
        }
        if (text[^1] == '.')
            text = text[..^1];
        if (text.Length == 0 || text.Length > MaxLength)
            return null;
        var labels = 0;
        var allNumeric = true;
        foreach (var label in new string(text).Split('.'))
        {
            labels++;
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
                return null;
            foreach (var c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                    return null;
            allNumeric &= label.All(char.IsAsciiDigit);
        }
        var host = new string(text).ToLowerInvariant();
        if (IsHexOrNumericAddress(host, labels, allNumeric))
            return allNumeric && labels == 4 && IPAddress.TryParse(host, out var v4) && v4.ToString() == host ? host : null;
        return host;
    }

    /// <summary>Whether a canonical host is an IP literal (dotted IPv4 or bracketed IPv6).</summary>
    public static bool IsAddress(string host) => host.StartsWith('[') || IPAddress.TryParse(host, out _);

    /// <summary>The address of an IP-literal host; null for a name.</summary>
    public static IPAddress? Address(string host) =>
        host.StartsWith('[') ? IPAddress.Parse(host.AsSpan(1, host.Length - 2))
        : IPAddress.TryParse(host, out var a) && a.AddressFamily == AddressFamily.InterNetwork ? a
        : null;

    /// <summary>"host:port", IPv6 already in brackets.</summary>
    public static string Authority(string host, int port) => host + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Numbers that inet_aton reads as an IPv4 address ("2130706433", "0x7f.1", "127.1"): only the
    /// four-part dotted decimal form counts as an address; the others are refused so that a name
    /// and what the resolver makes of it never differ.
    /// </summary>
    private static bool IsHexOrNumericAddress(string host, int labels, bool allNumeric)
    {
        if (allNumeric)
            return true;
        if (labels > 4)
            return false;
        foreach (var label in host.Split('.'))
        {
            var isNumber = label.All(char.IsAsciiDigit)
                || (label.StartsWith("0x", StringComparison.Ordinal) && label[2..].All(char.IsAsciiHexDigit));
            if (!isNumber)
                return false;
        }
        return true;
    }
}
