using System.Text;

namespace Nono;

/// <summary>
/// What a sandboxed process may do: filesystem grants, network mode, TCP ports, Unix sockets.
/// Build it up, then enforce it with <see cref="Sandbox.Apply"/> or <see cref="SandboxedProcess.Start(CapabilitySet, System.Diagnostics.ProcessStartInfo)"/>.
/// Paths are canonicalised when granted: symlinks are resolved then, and both forms are kept.
/// </summary>
public sealed class CapabilitySet
{
    private readonly List<FsCapability> fileSystem = [];
    private readonly SortedSet<int> tcpConnect = [];
    private readonly SortedSet<int> tcpBind = [];

    /// <summary>The filesystem grants, in the order given.</summary>
    public IReadOnlyList<FsCapability> FileSystem => fileSystem;

    /// <summary>The network mode; <see cref="NetworkMode.Blocked"/> by default.</summary>
    public NetworkMode NetworkMode { get; private set; } = NetworkMode.Blocked;

    /// <summary>TCP ports that may be connected to when the network is not open.</summary>
    public IReadOnlySet<int> TcpConnectPorts => tcpConnect;

    /// <summary>TCP ports that may be bound when the network is not open.</summary>
    public IReadOnlySet<int> TcpBindPorts => tcpBind;

    /// <summary>Whether Unix sockets (pathname and abstract) may be created; stream and seqpacket socketpairs always may.</summary>
    public bool UnixSocketsAllowed { get; private set; }

    /// <summary>Grants <paramref name="access"/> to a directory and everything beneath it.</summary>
    /// <exception cref="NonoException">InvalidArgument, PathNotFound, ExpectedDirectory, PathCanonicalization.</exception>
    public CapabilitySet AllowPath(string path, AccessMode access, CapabilitySource source = CapabilitySource.User) =>
        Allow(path, access, isFile: false, source);

    /// <summary>Grants <paramref name="access"/> to one file.</summary>
    /// <exception cref="NonoException">InvalidArgument, PathNotFound, ExpectedFile, PathCanonicalization.</exception>
    public CapabilitySet AllowFile(string path, AccessMode access, CapabilitySource source = CapabilitySource.User) =>
        Allow(path, access, isFile: true, source);

    private CapabilitySet Allow(string path, AccessMode access, bool isFile, CapabilitySource source)
    {
        PathResolver.CheckArgument(path, nameof(path));
        CheckAccess(access);
        var resolved = PathResolver.ResolveExisting(path);
        var isDirectory = Directory.Exists(resolved);
        if (isFile && isDirectory)
            throw new NonoException(NonoErrorKind.ExpectedFile, "AllowFile was given a directory (use AllowPath)", path);
        if (!isFile && !isDirectory)
            throw new NonoException(NonoErrorKind.ExpectedDirectory, "AllowPath was given a file (use AllowFile)", path);
        fileSystem.Add(new FsCapability(path, resolved, access, isFile, source));
        return this;
    }

    /// <summary>Adds a grant exactly as given, without touching the filesystem (used to restore a state).</summary>
    internal void AddResolved(FsCapability capability) => fileSystem.Add(capability);

    internal static void CheckAccess(AccessMode access)
    {
        if (access == AccessMode.None || (access & ~(AccessMode.ReadWrite | AccessMode.Execute | AccessMode.CreateSymlink)) != 0)
            throw new NonoException(NonoErrorKind.InvalidArgument, $"invalid access mode '{access}' (use Read, Write, Execute, CreateSymlink or a combination)");
    }

    /// <summary>Sets the network mode.</summary>
    public CapabilitySet SetNetworkMode(NetworkMode mode)
    {
        if (!Enum.IsDefined(mode))
            throw new NonoException(NonoErrorKind.InvalidArgument, $"invalid network mode '{mode}'");
        NetworkMode = mode;
        return this;
    }

    /// <summary>Allows TCP connections to <paramref name="port"/> (1-65535).</summary>
    public CapabilitySet AllowTcpConnect(int port)
    {
        tcpConnect.Add(CheckPort(port));
        return this;
    }

    /// <summary>Allows binding TCP <paramref name="port"/> (1-65535).</summary>
    public CapabilitySet AllowTcpBind(int port)
    {
        tcpBind.Add(CheckPort(port));
        return this;
    }

    internal static int CheckPort(int port) =>
        port is >= 1 and <= 65535
            ? port
            : throw new NonoException(NonoErrorKind.InvalidArgument, $"invalid TCP port {port} (expected 1-65535)");

    /// <summary>Allows creating Unix sockets and reaching abstract Unix sockets outside the sandbox.</summary>
    public CapabilitySet AllowUnixSockets()
    {
        UnixSocketsAllowed = true;
        return this;
    }

    /// <summary>Whether some grant covers <paramref name="path"/> (absolute) with any access.</summary>
    public bool PathCovered(string path)
    {
        var resolved = PathResolver.ResolveForQuery(PathResolver.CheckAbsolute(path, nameof(path)));
        return fileSystem.Any(c => c.Covers(resolved));
    }

    /// <summary>
    /// Merges grants of the same resolved path (their rights united) and drops grants that a
    /// directory grant above them already gives with at least the same rights.
    /// </summary>
    public CapabilitySet Deduplicate()
    {
        var merged = new List<FsCapability>();
        // By path, files and directories apart. Keys and values of the framework's own types: see FileStamp.
        Dictionary<string, int> files = new(StringComparer.Ordinal), directoryIndex = new(StringComparer.Ordinal);
        foreach (var c in fileSystem)
        {
            var byPath = c.IsFile ? files : directoryIndex;
            if (byPath.TryGetValue(c.ResolvedPath, out var same))
                merged[same] = merged[same] with { Access = merged[same].Access | c.Access };
            else
            {
                byPath[c.ResolvedPath] = merged.Count;
                merged.Add(c);
            }
        }
        bool CoveredAbove(FsCapability c)
        {
            for (var dir = Path.GetDirectoryName(c.ResolvedPath); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (directoryIndex.TryGetValue(dir, out var above) && (c.Access & ~merged[above].Access) == 0)
                    return true;
            }
            return false;
        }
        var needed = merged.Where(c => !CoveredAbove(c)).ToList();
        fileSystem.Clear();
        fileSystem.AddRange(needed);
        return this;
    }

    /// <summary>A human-readable description, one grant per line.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine("filesystem:");
        if (fileSystem.Count == 0)
            text.AppendLine("  (nothing)");
        foreach (var c in fileSystem)
        {
            text.Append("  ").Append(AccessLetters(c.Access).PadRight(4)).Append(c.ResolvedPath);
            if (c.IsFile)
                text.Append(" (file)");
            if (c.OriginalPath != c.ResolvedPath)
                text.Append(" (from ").Append(c.OriginalPath).Append(')');
            text.AppendLine();
        }
        text.Append("network: ").AppendLine(NetworkMode switch
        {
            NetworkMode.AllowAll => "allowed",
            NetworkMode.ProxyOnly => "proxy only",
            _ => "blocked",
        });
        if (NetworkMode != NetworkMode.AllowAll)
        {
            if (tcpConnect.Count > 0)
                text.Append("tcp connect: ").AppendLine(string.Join(", ", tcpConnect));
            if (tcpBind.Count > 0)
                text.Append("tcp bind: ").AppendLine(string.Join(", ", tcpBind));
        }
        text.Append("unix sockets: ").AppendLine(UnixSocketsAllowed ? "allowed" : "blocked");
        return text.ToString();
    }

    internal static string AccessLetters(AccessMode access) =>
        $"{(access.HasFlag(AccessMode.Read) ? "r" : "")}{(access.HasFlag(AccessMode.Write) ? "w" : "")}{(access.HasFlag(AccessMode.Execute) ? "x" : "")}{(access.HasFlag(AccessMode.CreateSymlink) ? "l" : "")}";

    /// <summary>The nono-exec options that enforce this set (see docs/nono-exec.md).</summary>
    public IReadOnlyList<string> ToLauncherArguments()
    {
        var args = new List<string>(fileSystem.Count * 2 + 8);
        foreach (var c in fileSystem)
        {
            if ((c.Access & ~AccessMode.CreateSymlink) is not AccessMode.None and var rights)
            {
                args.Add(LauncherOptions.ForAccess(rights).Name);
                args.Add(c.ResolvedPath);
            }
            if (c.Access.HasFlag(AccessMode.CreateSymlink))
            {
                args.Add(LauncherOptions.Symlinks.Name);
                args.Add(c.ResolvedPath);
            }
        }
        args.AddRange(NetworkLauncherArguments());
        return args;
    }

    /// <summary>The network and Unix-socket part of <see cref="ToLauncherArguments"/>.</summary>
    internal List<string> NetworkLauncherArguments()
    {
        var args = new List<string>();
        if (NetworkMode == NetworkMode.AllowAll)
        {
            args.Add(LauncherOptions.Net.Name);
            args.Add("all");
        }
        else
        {
            AddPorts(args, LauncherOptions.ConnectTcp.Name, tcpConnect);
            AddPorts(args, LauncherOptions.BindTcp.Name, tcpBind);
        }
        if (UnixSocketsAllowed)
            args.Add(LauncherOptions.AllowUnix.Name);
        return args;
    }

    private static void AddPorts(List<string> args, string option, SortedSet<int> ports)
    {
        if (ports.Count == 0)
            return; // most policies have none: SortedSet<int>'s enumerator is then not compiled at run time (see FileStamp)
        foreach (var port in ports)
        {
            args.Add(option);
            args.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A deep copy, for snapshots.</summary>
    public CapabilitySet Clone()
    {
        var copy = new CapabilitySet { NetworkMode = NetworkMode, UnixSocketsAllowed = UnixSocketsAllowed };
        copy.fileSystem.AddRange(fileSystem);
        if (tcpConnect.Count > 0)
            copy.tcpConnect.UnionWith(tcpConnect);
        if (tcpBind.Count > 0)
            copy.tcpBind.UnionWith(tcpBind);
        return copy;
    }
}
