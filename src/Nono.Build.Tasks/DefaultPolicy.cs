using Nono.Native;

namespace Nono.Build.Tasks;

/// <summary>What every sandboxed step may use regardless of the project: the system toolchain, /etc without its secrets, devices, /sys and /proc (on macOS: <see cref="MacOSToolchain"/>).</summary>
internal static class DefaultPolicy
{
    /// <summary>
    /// macOS, read and execute: the system's tools, Xcode's command-line tools and Xcode, Homebrew
    /// (/opt/homebrew on arm64, /usr/local on x64). The home directory is not here: the user's
    /// secrets (~/.ssh, ~/.aws, ~/Library/Keychains, …) stay denied, and the keychain's services
    /// are denied by every profile (<see cref="SeatbeltProfile.KeychainServices"/>). The .NET install and
    /// ~/.nuget/packages come from the project (DotnetRoots, PackageFolders), read and execute, never write.
    /// </summary>
    internal static readonly string[] MacOSToolchain =
    [
        "/usr", "/bin", "/sbin", "/usr/local", "/opt/homebrew",
        "/Library/Developer/CommandLineTools", "/Applications/Xcode.app",
    ];

    /// <summary>macOS files read by common tools: /bin/sh picks its shell from var/select, xcrun the Xcode in use from xcode_select_link.</summary>
    private static readonly string[] MacOSReadable = ["/private/var/select", "/private/var/db/xcode_select_link"];

    private static readonly string[] Toolchain = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt"];
    private static readonly string[] ReadableDevices = ["/dev/zero", "/dev/random", "/dev/urandom", "/dev/tty"];

    /// <summary>/etc entries that hold secrets, relative to /etc. A directory listed here is left out whole.</summary>
    private static readonly string[] EtcSecrets =
    [
        "shadow", "shadow-", "gshadow", "gshadow-", "sudoers", "sudoers.d", "security/opasswd", "ssl/private",
        "krb5.keytab", "ipsec.secrets", "ppp/chap-secrets", "ppp/pap-secrets", "NetworkManager/system-connections",
        "wpa_supplicant", "credstore", "credstore.encrypted", "docker/key.json", "libvirt/secrets", "openvpn",
    ];

    private static bool IsEtcSecret(string relative) =>
        EtcSecrets.Contains(relative, StringComparer.Ordinal)
        || (relative.StartsWith("ssh/ssh_host_", StringComparison.Ordinal) && relative.EndsWith("_key", StringComparison.Ordinal));


    /// <summary>The machine's grants: nothing of the user's but the dotnet CLI's tool cache (<see cref="AddGitUserConfig"/> adds git's files).</summary>
    public static void AddTo(CapabilitySet caps)
    {
        if (OperatingSystem.IsMacOS())
        {
            AddMacOSTo(caps);
            return;
        }
        foreach (var path in Toolchain)
            TryAllow(caps, path, AccessMode.Read | AccessMode.Execute);
        AllowEtc(caps);
        TryAllow(caps, "/sys", AccessMode.Read);
        // /proc of other processes: their environ, mem, fd and maps are out of reach because
        // Landlock refuses ptrace-mode access outside the sandbox and nono-exec drops capabilities.
        TryAllow(caps, "/proc", AccessMode.Read);
        TryAllowFile(caps, "/dev/null", AccessMode.ReadWrite);
        foreach (var device in ReadableDevices)
            TryAllowFile(caps, device, AccessMode.Read);
        AllowDotnetSharedFiles(caps);
        // The dotnet CLI's record of the repository's local tools (dotnet tool run, dotnet TOOL): read only.
        var cliHome = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") is { Length: > 0 } c && Path.IsPathRooted(c) ? c : Environment.GetEnvironmentVariable("HOME");
        if (!string.IsNullOrEmpty(cliHome) && Path.IsPathRooted(cliHome))
            TryAllow(caps, Path.Combine(cliHome, ".dotnet", "toolResolverCache"), AccessMode.Read);
    }

    /// <summary>
    /// .NET's named mutexes and shared memory live in /tmp/.dotnet (shm/, lockfiles/), a path the
    /// runtime fixes, whatever TMPDIR says: without it a .NET program that takes a named mutex
    /// (GitVersion, dotnet tools) fails. Created as the runtime would (world-writable, sticky) if
    /// missing. What a step can do there: take or hold a named mutex other .NET processes of the
    /// machine also use, so make them wait (docs/policy.md); nothing there is read back by the build.
    /// </summary>
    internal const string DotnetSharedFiles = "/tmp/.dotnet";

    private static void AllowDotnetSharedFiles(CapabilitySet caps)
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            if (!Directory.Exists(DotnetSharedFiles))
            {
                Directory.CreateDirectory(DotnetSharedFiles);
                File.SetUnixFileMode(DotnetSharedFiles, (UnixFileMode)0b1_111_111_111);
            }
            if (new DirectoryInfo(DotnetSharedFiles).LinkTarget is null)
                caps.AllowPath(DotnetSharedFiles, AccessMode.ReadWrite, CapabilitySource.System);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NonoException)
        {
        }
    }

    /// <summary>The macOS default: <see cref="MacOSToolchain"/>, /etc without its secrets, devices.</summary>
    /// <summary>git's per-user configuration files (<see cref="GitUserConfigFiles"/>) that exist, read only, but those <paramref name="withheld"/>.</summary>
    public static void AddGitUserConfig(CapabilitySet caps, IReadOnlySet<string>? withheld = null)
    {
        foreach (var file in GitUserConfigFiles().Where(f => File.Exists(f) && withheld?.Contains(f) != true))
            TryAllowFile(caps, file, AccessMode.Read);
    }

    private static void AddMacOSTo(CapabilitySet caps)
    {
        foreach (var path in MacOSToolchain)
            TryAllow(caps, path, AccessMode.Read | AccessMode.Execute);
        AllowEtc(caps);
        foreach (var path in MacOSReadable)
            TryAllowFile(caps, path, AccessMode.Read);
        TryAllowFile(caps, "/dev/null", AccessMode.ReadWrite);
        foreach (var device in ReadableDevices)
            TryAllowFile(caps, device, AccessMode.Read);
    }

    /// <summary>
    /// git's per-user configuration: git stops with "fatal: unknown error occurred while reading the
    /// configuration files" when one exists and cannot be read, so without these no git command works
    /// for a user who has a ~/.gitconfig. The files only: not ~/.git-credentials or ~/.config/git/credentials.
    /// </summary>
    internal static IEnumerable<string> GitUserConfigFiles()
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (!string.IsNullOrEmpty(home) && Path.IsPathRooted(home))
            yield return Path.Combine(home, ".gitconfig");
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var configHome = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg
            : !string.IsNullOrEmpty(home) && Path.IsPathRooted(home) ? Path.Combine(home, ".config")
            : null;
        if (configHome is not null)
        {
            foreach (var name in new[] { "config", "ignore", "attributes" })
                yield return Path.Combine(configHome, "git", name);
        }
    }

    /// <summary>
    /// /etc without its secrets. Where this user can read none of them anyway (not root, not in
    /// the shadow group), /etc is one grant; otherwise its entries are granted one by one.
    /// </summary>
    private static void AllowEtc(CapabilitySet caps)
    {
        var entries = new List<EtcEntry>();
        var secrets = new List<string>();
        CollectEtc("/etc", "", entries, secrets);
        if (!secrets.Any(IsReadable))
        {
            TryAllow(caps, "/etc", AccessMode.Read);
            return;
        }
        // As root: a few hundred entries. Those that are no symlink, in a canonical /etc, are
        // their own resolved path, and are added as such (resolving each again took 20 ms).
        var canonical = PathResolver.ResolveExisting("/etc") == "/etc";
        foreach (var entry in entries)
        {
            if (canonical && !entry.IsLink)
                caps.AddResolved(new FsCapability(entry.Path, entry.Path, AccessMode.Read, !entry.IsDirectory, CapabilitySource.System));
            else
                TryAllowFile(caps, entry.Path, AccessMode.Read);
        }
    }

    private sealed record EtcEntry(string Path, bool IsDirectory, bool IsLink);

    private const int FileType = 0xF000, DirectoryType = 0x4000, SymlinkType = 0xA000;

    /// <summary>
    /// The entries to grant and the secrets found beneath <paramref name="directory"/>. A secret is
    /// a named one or anything not readable by every user: root keeps reading root-owned files by
    /// their owner bits even without capabilities. A directory with no secret anywhere beneath it
    /// is one entry; a symlinked directory inside /etc is left to its real path. Returns whether
    /// the directory holds no secret. One statx per entry (two for a symlink).
    /// </summary>
    private static bool CollectEtc(string directory, string relative, List<EtcEntry> entries, List<string> secrets)
    {
        string[] children;
        try
        {
            children = Directory.GetFileSystemEntries(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            secrets.Add(directory);
            return false;
        }
        var clean = true;
        var own = new List<EtcEntry>();
        foreach (var entry in children)
        {
            if (LibC.Stamp(entry) is not { } itself)
                continue; // gone since the listing
            var entryRelative = relative.Length == 0 ? Path.GetFileName(entry) : $"{relative}/{Path.GetFileName(entry)}";
            var isLink = (itself.Mode & FileType) == SymlinkType;
            var mode = isLink ? LibC.StampFollowing(entry)?.Mode : itself.Mode;
            var isDirectory = mode is { } m && (m & FileType) == DirectoryType;
            if (IsEtcSecret(entryRelative) || mode is not { } target || !WorldReadable(target, isDirectory))
            {
                secrets.Add(entry);
                clean = false;
            }
            else if (isLink && isDirectory && IsInEtc(entry))
            {
                clean = false;
            }
            else if (!isLink && isDirectory)
            {
                var nested = new List<EtcEntry>();
                if (CollectEtc(entry, entryRelative, nested, secrets))
                    own.Add(new EtcEntry(entry, true, false));
                else
                {
                    own.AddRange(nested);
                    clean = false;
                }
            }
            else
            {
                own.Add(new EtcEntry(entry, isDirectory, isLink));
            }
        }
        entries.AddRange(own);
        return clean;
    }

    private static bool IsInEtc(string path)
    {
        var target = new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        return target == "/etc" || target.StartsWith("/etc/", StringComparison.Ordinal);
    }

    private static bool WorldReadable(ushort mode, bool isDirectory)
    {
        const int OtherRead = 4, OtherExecute = 1;
        var needed = isDirectory ? OtherRead | OtherExecute : OtherRead;
        return (mode & needed) == needed;
    }

    private static bool IsReadable(string path)
    {
        try
        {
            if (Directory.Exists(path))
                _ = Directory.EnumerateFileSystemEntries(path).Any();
            else
                File.OpenHandle(path).Dispose();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Grants a directory if it exists; defaults that are missing on this machine are skipped.</summary>
    public static void TryAllow(CapabilitySet caps, string path, AccessMode access)
    {
        try
        {
            caps.AllowPath(path, access, CapabilitySource.System);
        }
        catch (NonoException)
        {
        }
    }

    private static void TryAllowFile(CapabilitySet caps, string path, AccessMode access)
    {
        try
        {
            if (Directory.Exists(path))
                caps.AllowPath(path, access, CapabilitySource.System);
            else
                caps.AllowFile(path, access, CapabilitySource.System);
        }
        catch (NonoException)
        {
        }
    }
}
