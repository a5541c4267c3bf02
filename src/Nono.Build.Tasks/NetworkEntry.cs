using System.Globalization;
using Nono.Egress;

namespace Nono.Build.Tasks;

internal enum NetworkEntryKind
{
    /// <summary>Blank: allows nothing.</summary>
    Empty,

    /// <summary>'all': no network restriction.</summary>
    All,

    /// <summary>'PORT': TCP connections to that port, any address.</summary>
    Port,

    /// <summary>'HOST', 'HOST:PORT', '.DOMAIN', '.DOMAIN:PORT': reached through the egress proxy.</summary>
    Host,

    /// <summary>A wildcard ('*', '*:443') or anything else: never guessed at.</summary>
    Invalid,
}

/// <summary>
/// One SandboxNetwork value. Its forms are chosen to survive MSBuild, which expands '*' and '?' in
/// an Include into file names (or into nothing): 'all', 'PORT', 'HOST', 'HOST:PORT', '.DOMAIN',
/// '.DOMAIN:PORT'.
/// </summary>
internal sealed record NetworkEntry(NetworkEntryKind Kind, int? Port = null, HostPattern? Host = null, string? Problem = null)
{
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
                : rest.StartsWith('.') ? $"'{rest}' (a domain and its subdomains)"
                : "'all' or a port";
            return new(NetworkEntryKind.Invalid, Problem: $"'*' and '?' are wildcards to MSBuild, which expands them into the project's file names or drops the item; write {instead} instead");
        }
        if (spec.Any(c => char.IsAsciiLetter(c) || c is '.' or '[' or ':'))
        {
            return HostPattern.TryParse(spec, out var host, out var problem)
                ? new(NetworkEntryKind.Host, host.Port, host)
                : new(NetworkEntryKind.Invalid, Problem: $"{problem}; expected 'all', a TCP port 1-65535, 'HOST', 'HOST:PORT', '.DOMAIN' or '.DOMAIN:PORT'");
        }
        return new(NetworkEntryKind.Invalid, Problem: $"expected 'all', a TCP port 1-65535, 'HOST', 'HOST:PORT', '.DOMAIN' or '.DOMAIN:PORT'; {Forms}");
    }

    private static int? PortNumber(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65535 ? n : null;
}
