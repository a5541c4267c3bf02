namespace Nono;

/// <summary>Whether a query was allowed.</summary>
public enum QueryStatus
{
    /// <summary>The set allows it.</summary>
    Allowed,

    /// <summary>The set denies it.</summary>
    Denied,
}

/// <summary>Why a query was answered as it was.</summary>
public enum QueryReason
{
    /// <summary>Grants cover the path with the rights asked for.</summary>
    GrantedPath,

    /// <summary>No grant covers the path.</summary>
    PathNotGranted,

    /// <summary>Grants cover the path, but not with every right asked for.</summary>
    InsufficientAccess,

    /// <summary>The network access is allowed.</summary>
    NetworkAllowed,

    /// <summary>The network access is blocked.</summary>
    NetworkBlocked,
}

/// <summary>The answer to a <see cref="QueryContext"/> query.</summary>
/// <param name="Status">Allowed or denied.</param>
/// <param name="Reason">Why.</param>
/// <param name="GrantedPath">For path queries, the most specific grant covering the path (null if none).</param>
/// <param name="GrantedAccess">For path queries, the rights all covering grants give together.</param>
/// <param name="RequestedAccess">For path queries, the rights asked for.</param>
public sealed record QueryResult(
    QueryStatus Status,
    QueryReason Reason,
    string? GrantedPath = null,
    AccessMode GrantedAccess = AccessMode.None,
    AccessMode RequestedAccess = AccessMode.None)
{
    /// <summary>True when <see cref="Status"/> is Allowed.</summary>
    public bool IsAllowed => Status == QueryStatus.Allowed;
}
