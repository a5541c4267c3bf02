namespace Nono;

/// <summary>
/// Answers what a capability set allows, without enforcing anything. A snapshot: later changes to
/// the set do not affect it. Answers do not depend on grant order: as the kernel does, the rights
/// of every grant that covers a path are united.
/// </summary>
public sealed class QueryContext
{
    private readonly CapabilitySet caps;

    /// <summary>Takes a snapshot of <paramref name="capabilities"/>.</summary>
    public QueryContext(CapabilitySet capabilities)
    {
        caps = capabilities?.Clone() ?? throw new NonoException(NonoErrorKind.InvalidArgument, "capabilities is null");
    }

    /// <summary>Whether <paramref name="path"/> (absolute; need not exist) may be accessed with <paramref name="access"/>.</summary>
    public QueryResult QueryPath(string path, AccessMode access)
    {
        var resolved = PathResolver.ResolveForQuery(PathResolver.CheckAbsolute(path, nameof(path)));
        CapabilitySet.CheckAccess(access);
        var covering = caps.FileSystem.Where(c => c.Covers(resolved)).ToList();
        if (covering.Count == 0)
            return new QueryResult(QueryStatus.Denied, QueryReason.PathNotGranted, RequestedAccess: access);

        var granted = covering.Aggregate(AccessMode.None, (all, c) => all | c.Access);
        var closest = covering.MaxBy(c => c.ResolvedPath.Length)!;
        return (access & ~granted) == 0
            ? new QueryResult(QueryStatus.Allowed, QueryReason.GrantedPath, closest.ResolvedPath, granted, access)
            : new QueryResult(QueryStatus.Denied, QueryReason.InsufficientAccess, closest.ResolvedPath, granted, access);
    }

    /// <summary>Whether the network is open.</summary>
    public QueryResult QueryNetwork() => caps.NetworkMode == NetworkMode.AllowAll ? Allowed : Blocked;

    /// <summary>Whether a TCP connection to <paramref name="port"/> is allowed.</summary>
    public QueryResult QueryTcpConnect(int port) =>
        caps.TcpConnectPorts.Contains(CapabilitySet.CheckPort(port)) || caps.NetworkMode == NetworkMode.AllowAll ? Allowed : Blocked;

    /// <summary>Whether binding TCP <paramref name="port"/> is allowed.</summary>
    public QueryResult QueryTcpBind(int port) =>
        caps.TcpBindPorts.Contains(CapabilitySet.CheckPort(port)) || caps.NetworkMode == NetworkMode.AllowAll ? Allowed : Blocked;

    private static readonly QueryResult Allowed = new(QueryStatus.Allowed, QueryReason.NetworkAllowed);
    private static readonly QueryResult Blocked = new(QueryStatus.Denied, QueryReason.NetworkBlocked);
}
