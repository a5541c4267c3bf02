using System.Globalization;
using System.Text.RegularExpressions;

namespace Nono.Build.Tasks;

internal enum NetworkEntryKind
{
    /// <summary>Blank: allows nothing.</summary>
    Empty,

    /// <summary>'all': no network restriction.</summary>
    All,

    /// <summary>'PORT': TCP connections to that port, any address.</summary>
    Port,

    /// <summary>'HOST', 'HOST:PORT', '.DOMAIN', '.DOMAIN:PORT': for the egress proxy, not yet enforceable.</summary>
    Host,

    /// <summary>A wildcard ('*', '*:443') or anything else: never guessed at.</summary>
    Invalid,
}

/// <summary>
/// One SandboxNetwork value. Its forms are chosen to survive MSBuild, which expands '*' and '?' in
/// an Include into file names (or into nothing): 'all', 'PORT', 'HOST', 'HOST:PORT', '.DOMAIN',
/// '.DOMAIN:PORT'.
/// </summary>
internal sealed partial record NetworkEntry(NetworkEntryKind Kind, int? Port = null, string? Host = null, string? Problem = null)
{
    [GeneratedRegex(@"^(?<host>\.?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*)(:(?<port>[0-9]{1,5}))?$")]
    private static partial Regex HostForm();

    private const string Forms = "write 'all' (no network restriction) or a TCP port such as '443'";

    public static NetworkEntry Parse(string value)
    {
        var spec = value.Trim();
        if (spec.Length == 0)
            return new(NetworkEntryKind.Empty);
        if (spec.Equals("all", StringComparison.OrdinalIgnoreCase))
            return new(NetworkEntryKind.All);
        if (PortNumber(spec) is { } port)
            return new(NetworkEntryKind.Port, port);
        if (spec.Contains('*') || spec.Contains('?'))
        {
            var rest = spec.TrimStart('*', '?');
            var instead = spec == "*" ? "'all'"
                : rest.StartsWith(':') && PortNumber(rest[1..]) is { } p ? $"'{p.ToString(CultureInfo.InvariantCulture)}'"
                : rest.StartsWith('.') ? $"'{rest}' (a domain and its subdomains, once the egress proxy exists) or 'all'"
                : "'all' or a port";
            return new(NetworkEntryKind.Invalid, Problem: $"'*' and '?' are wildcards to MSBuild, which expands them into the project's file names or drops the item; write {instead} instead");
        }
        if (HostForm().Match(spec) is { Success: true } m && !spec.All(char.IsAsciiDigit))
        {
            var portText = m.Groups["port"].Value;
            if (portText.Length > 0 && PortNumber(portText) is null)
                return new(NetworkEntryKind.Invalid, Problem: $"'{portText}' is not a TCP port (1-65535); {Forms}");
            return new(NetworkEntryKind.Host, portText.Length > 0 ? PortNumber(portText) : null, m.Groups["host"].Value,
                $"host names ('{m.Groups["host"].Value}') need the egress proxy, which this version does not have; they are never widened to a port or to all network. "
                + $"Until it exists, allow the port ('{(portText.Length > 0 ? portText : "443")}') or all network ('all')");
        }
        return new(NetworkEntryKind.Invalid, Problem: $"expected 'all', a TCP port 1-65535, 'HOST', 'HOST:PORT', '.DOMAIN' or '.DOMAIN:PORT'; {Forms}");
    }

    private static int? PortNumber(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65535 ? n : null;
}
