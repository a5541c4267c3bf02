namespace Nono;

/// <summary>One filesystem grant.</summary>
/// <param name="OriginalPath">The path as the caller gave it.</param>
/// <param name="ResolvedPath">The absolute path with every symlink resolved at grant time: what is enforced.</param>
/// <param name="Access">The rights granted.</param>
/// <param name="IsFile">True for a single-file grant; false for a directory and everything beneath it.</param>
/// <param name="Source">Where the grant came from.</param>
public sealed record FsCapability(
    string OriginalPath,
    string ResolvedPath,
    AccessMode Access,
    bool IsFile,
    CapabilitySource Source)
{
    /// <summary>Whether this grant applies to <paramref name="resolvedPath"/> (absolute, resolved).</summary>
    public bool Covers(string resolvedPath) =>
        IsFile
            ? resolvedPath == ResolvedPath
            : resolvedPath == ResolvedPath
              || ResolvedPath == "/"
              || (resolvedPath.StartsWith(ResolvedPath, StringComparison.Ordinal) && resolvedPath[ResolvedPath.Length] == '/');
}
