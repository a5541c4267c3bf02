using System.Globalization;
using System.Text;

namespace Nono;

/// <summary>
/// The macOS Seatbelt profile (SBPL, Apple's sandbox profile language) that enforces a
/// <see cref="CapabilitySet"/>: what <see cref="Sandbox.Apply"/> gives to <c>sandbox_init</c> and
/// <see cref="SandboxedProcess"/> to <c>/usr/bin/sandbox-exec -p</c> on macOS. Pure text: it can be
/// generated and inspected on any OS.
/// </summary>
/// <remarks>
/// Everything is denied (<c>(deny default)</c>) but: each grant's paths (read, write, execute as
/// granted; a directory as a <c>subpath</c>, a file as a <c>literal</c>); what any process needs
/// to start (dyld and its shared cache, <c>/usr/lib</c>, the <c>/System/Library</c> frameworks,
/// a few devices); file metadata everywhere (as on Linux, where Landlock does not restrict
/// <c>stat</c>); the <c>mach-lookup</c> services listed in <see cref="MachServices"/>, never the
/// keychain's (<see cref="KeychainServices"/>, denied last); and the network of the set's
/// <see cref="NetworkMode"/>. Paths are written canonical (<c>/tmp</c> is <c>/private/tmp</c>):
/// Seatbelt matches the path a file has after every symlink is resolved.
/// </remarks>
public static class SeatbeltProfile
{
    /// <summary>Directories every process reads (and maps code from) to start: dyld, its shared cache, system libraries and frameworks.</summary>
    public static IReadOnlyList<string> SystemReadPaths { get; } =
    [
        "/usr/lib",
        "/usr/share",
        "/System/Library",
        "/System/Cryptexes",
        "/System/Volumes/Preboot/Cryptexes",
        "/Library/Apple/usr/lib",
        "/private/var/db/dyld",
        "/private/var/db/timezone",
    ];

    /// <summary>Single files every process may read: the time zone, the device that yields nothing, randomness.</summary>
    public static IReadOnlyList<string> SystemReadFiles { get; } =
    [
        "/",
        "/private/etc/localtime",
        "/dev/null",
        "/dev/zero",
        "/dev/random",
        "/dev/urandom",
        "/dev/dtracehelper",
    ];

    /// <summary>Devices every process may write: /dev/null, and dyld's DTrace helper.</summary>
    public static IReadOnlyList<string> SystemWriteFiles { get; } = ["/dev/null", "/dev/dtracehelper"];

    /// <summary>
    /// The Mach services a process may look up: logging, notifications, user and group lookups
    /// (getpwuid, which git and ssh need for the home directory), the per-user temp directory.
    /// </summary>
    public static IReadOnlyList<string> MachServices { get; } =
    [
        "com.apple.system.logger",
        "com.apple.logd",
        "com.apple.system.notification_center",
        "com.apple.system.opendirectoryd.libinfo",
        "com.apple.system.opendirectoryd.membership",
        "com.apple.system.DirectoryService.libinfo_v1",
        "com.apple.bsd.dirhelper",
    ];

    /// <summary>Services for name resolution and TLS trust, looked up only when the network is open (<see cref="NetworkMode.AllowAll"/>).</summary>
    public static IReadOnlyList<string> NetworkMachServices { get; } =
    [
        "com.apple.SystemConfiguration.DNSConfiguration",
        "com.apple.SystemConfiguration.configd",
        "com.apple.dnssd.service",
        "com.apple.trustd.agent",
    ];

    /// <summary>The keychain and its agents: always denied, after every allow, so no grant can open them.</summary>
    public static IReadOnlyList<string> KeychainServices { get; } =
    [
        "com.apple.SecurityServer",
        "com.apple.securityd",
        "com.apple.securityd.xpc",
        "com.apple.secd",
        "com.apple.security.agent",
        "com.apple.security.authhost",
        "com.apple.security.keychainsyncingoveridsproxy",
    ];

    /// <summary>The file types that <see cref="AccessMode.CreateSymlink"/> governs, as Seatbelt's vnode-type filter names them.</summary>
    private const string SpecialFileTypes = "(require-any (vnode-type SYMLINK) (vnode-type FIFO) (vnode-type SOCKET))";

    /// <summary>The SBPL profile that enforces <paramref name="capabilities"/>.</summary>
    /// <exception cref="NonoException">InvalidArgument when <paramref name="capabilities"/> is null.</exception>
    public static string Generate(CapabilitySet capabilities)
    {
        if (capabilities is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "capabilities is null");
        var profile = new StringBuilder(4096);
        profile.Append("(version 1)\n(deny default)\n");

        profile.Append("\n; processes: start children, signal and inspect only those in this sandbox\n");
        profile.Append("(allow process-fork)\n");
        profile.Append("(allow signal (target same-sandbox))\n");
        profile.Append("(allow process-info* (target same-sandbox))\n");
        profile.Append("(allow sysctl-read)\n");
        profile.Append("(allow ipc-posix-sem)\n");
        profile.Append("(allow ipc-posix-shm-read-data (ipc-posix-name \"apple.shm.notification_center\"))\n");
        // Unconnected Unix sockets and socketpairs (pipes between a process and its children); reaching
        // a socket by path is network-outbound below, allowed only with AllowUnixSockets.
        profile.Append("(allow system-socket (socket-domain AF_UNIX))\n");

        profile.Append("\n; what every process needs to start: dyld, system libraries, frameworks, a few devices\n");
        // As on Linux (Landlock does not restrict stat): any file's existence, size and times, never its content.
        profile.Append("(allow file-read-metadata)\n");
        AppendRule(profile, "allow", "file-read*", SystemReadPaths.Select(Subpath).Concat(SystemReadFiles.Select(Literal)));
        AppendRule(profile, "allow", "file-map-executable", SystemReadPaths.Select(Subpath));
        AppendRule(profile, "allow", "file-write-data", SystemWriteFiles.Select(Literal));
        AppendRule(profile, "allow", "file-ioctl", [Literal("/dev/dtracehelper")]);

        profile.Append("\n; the grants\n");
        foreach (var grant in capabilities.FileSystem)
        {
            var filter = Filter(grant);
            if (grant.Access.HasFlag(AccessMode.Read))
                AppendRule(profile, "allow", "file-read*", [filter]);
            if (grant.Access.HasFlag(AccessMode.Write))
                AppendRule(profile, "allow", "file-write*", [filter]);
            if (grant.Access.HasFlag(AccessMode.Execute))
            {
                AppendRule(profile, "allow", "process-exec", [filter]);
                AppendRule(profile, "allow", "file-map-executable", [filter]);
            }
        }
        // Write does not include symlinks, FIFOs and sockets (AccessMode.CreateSymlink): file-write*
        // does, so they are taken back where no CreateSymlink grant gives them, which comes last.
        var special = capabilities.FileSystem.Where(g => g.Access.HasFlag(AccessMode.CreateSymlink)).Select(Filter).ToList();
        var writeOnly = capabilities.FileSystem.Where(g => g.Access.HasFlag(AccessMode.Write) && !g.Access.HasFlag(AccessMode.CreateSymlink)).Select(Filter).ToList();
        if (writeOnly.Count > 0)
            profile.Append("(deny file-write-create (require-all ").Append(SpecialFileTypes).Append(" (require-any ").AppendJoin(' ', writeOnly).Append(")))\n");
        if (special.Count > 0)
            profile.Append("(allow file-write-create (require-all ").Append(SpecialFileTypes).Append(" (require-any ").AppendJoin(' ', special).Append(")))\n");

        AppendNetwork(profile, capabilities);

        profile.Append("\n; services\n");
        var services = capabilities.NetworkMode == NetworkMode.AllowAll ? MachServices.Concat(NetworkMachServices) : MachServices;
        AppendRule(profile, "allow", "mach-lookup", services.Select(GlobalName));
        profile.Append("\n; the keychain: denied whatever else is allowed\n");
        AppendRule(profile, "deny", "mach-lookup", KeychainServices.Select(GlobalName));
        return profile.ToString();
    }

    private static void AppendNetwork(StringBuilder profile, CapabilitySet capabilities)
    {
        profile.Append("\n; network: ").Append(capabilities.NetworkMode switch
        {
            NetworkMode.AllowAll => "allowed",
            NetworkMode.ProxyOnly => "the proxy's ports on localhost only",
            _ => "blocked",
        }).Append('\n');
        if (capabilities.NetworkMode == NetworkMode.AllowAll)
        {
            profile.Append("(allow network*)\n");
            profile.Append("(allow system-socket)\n");
            return;
        }
        // Blocked: TCP to the ports allowed, any host (as Landlock's port rules); ProxyOnly: the
        // proxy's ports on this machine and nothing else.
        var host = capabilities.NetworkMode == NetworkMode.ProxyOnly ? "localhost" : "*";
        foreach (var port in capabilities.TcpConnectPorts)
            profile.Append("(allow network-outbound (remote tcp ").Append(Quote($"{host}:{port.ToString(CultureInfo.InvariantCulture)}")).Append("))\n");
        foreach (var port in capabilities.TcpBindPorts)
        {
            var local = Quote($"{host}:{port.ToString(CultureInfo.InvariantCulture)}");
            profile.Append("(allow network-bind (local tcp ").Append(local).Append("))\n");
            profile.Append("(allow network-inbound (local tcp ").Append(local).Append("))\n");
        }
        if (capabilities.UnixSocketsAllowed)
        {
            profile.Append("(allow network-outbound (remote unix-socket))\n");
            profile.Append("(allow network-bind (local unix-socket))\n");
        }
    }

    private static void AppendRule(StringBuilder profile, string action, string operation, IEnumerable<string> filters)
    {
        var list = filters.ToList();
        if (list.Count == 0)
            return;
        profile.Append('(').Append(action).Append(' ').Append(operation);
        if (list.Count == 1)
            profile.Append(' ').Append(list[0]);
        else
            foreach (var filter in list)
                profile.Append("\n  ").Append(filter);
        profile.Append(")\n");
    }

    private static string Filter(FsCapability grant) =>
        grant.IsFile ? Literal(grant.ResolvedPath) : Subpath(grant.ResolvedPath);

    private static string Subpath(string path) => $"(subpath {Quote(Canonical(path))})";

    private static string Literal(string path) => $"(literal {Quote(Canonical(path))})";

    private static string GlobalName(string service) => $"(global-name {Quote(service)})";

    /// <summary>
    /// The path Seatbelt matches: macOS's /tmp, /var and /etc are symlinks into /private, and a
    /// rule naming the link would match nothing. (Grants made on macOS are already resolved; this
    /// also covers sets built elsewhere, such as a restored <see cref="SandboxState"/>.)
    /// </summary>
    public static string Canonical(string path)
    {
        foreach (var link in (ReadOnlySpan<string>)["/tmp", "/var", "/etc"])
        {
            if (path == link || (path.StartsWith(link, StringComparison.Ordinal) && path[link.Length] == '/'))
                return "/private" + path;
        }
        return path;
    }

    /// <summary>An SBPL string literal: quotes and backslashes escaped.</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
                quoted.Append('\\');
            quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }
}
