namespace Nono.Build.Tasks;

/// <summary>How a denial reads in the SDK's messages and dotnet nono's (which links this file).</summary>
internal static partial class DenialReport
{
    public static string Describe(SandboxDenial d) => d.Operation switch
    {
        SandboxOperation.Read => $"reading '{d.Target}'",
        SandboxOperation.Write => $"writing '{d.Target}'",
        SandboxOperation.Create => $"creating '{d.Target}'",
        SandboxOperation.Delete => $"deleting '{d.Target}'",
        SandboxOperation.Rename => $"renaming '{d.Target}' to '{d.Destination}'",
        SandboxOperation.Link => $"linking '{d.Destination}' to '{d.Target}'",
        SandboxOperation.Execute => $"running '{d.Target}'",
        SandboxOperation.Truncate => $"truncating '{d.Target}'",
        // nono-exec --unix-own's supervisor refuses Unix sockets by path (abstract ones as @NAME).
        SandboxOperation.Connect when IsUnixSocket(d.Target) => $"a connection to the Unix socket '{d.Target}'",
        SandboxOperation.Connect => $"a TCP connection to {d.Target}",
        SandboxOperation.Bind => $"binding TCP {d.Target}",
        SandboxOperation.Socket => $"a socket {d.Target}",
        _ => $"{d.OperationName} ({d.Target})",
    };

    /// <summary>Whether a connect target names a Unix socket (a path, or @NAME for an abstract one) rather than ADDRESS:PORT.</summary>
    public static bool IsUnixSocket(string target) => target.StartsWith('/') || target.StartsWith('@');
}
