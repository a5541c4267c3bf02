using System.Text.RegularExpressions;

namespace Nono.Build.Tasks;

/// <summary>
/// Denials the runtimes cause on their own and get on without: neither reported nor suggested,
/// so that what a step really needed comes first. The step is not changed: it is denied these as
/// before and behaves as it did.
/// </summary>
internal static partial class RuntimeNoise
{
    /// <summary>A thread naming itself (.NET, node, the JVM write /proc/self/task/TID/comm).</summary>
    [GeneratedRegex(@"^/proc/(self|thread-self|\d+)(/task/\d+)?/comm$")]
    private static partial Regex ThreadName();

    /// <summary>The denials a step needed, without the runtimes' noise.</summary>
    public static IReadOnlyList<SandboxDenial> Without(IReadOnlyList<SandboxDenial> denials) =>
        denials.Any(IsNoise) ? denials.Where(d => !IsNoise(d)).ToList() : denials;

    public static bool IsNoise(SandboxDenial d) => d.Operation switch
    {
        SandboxOperation.Read => ThreadName().IsMatch(d.Target),
        SandboxOperation.Write => ThreadName().IsMatch(d.Target) || d.Target.Contains("/__pycache__/", StringComparison.Ordinal),
        SandboxOperation.Rename => d.Target.Contains("/__pycache__/", StringComparison.Ordinal),
        // .NET's diagnostics IPC socket (dotnet-diagnostic-PID-…-socket in $TMPDIR), for dotnet-trace and the like.
        SandboxOperation.Create => d.Target.Contains("/dotnet-diagnostic-", StringComparison.Ordinal)
            // The same runtime's debugger pipes (FIFOs clr-debug-pipe-PID-…-in/out in $TMPDIR): no debugger attaches.
            || d.Target.Contains("/clr-debug-pipe-", StringComparison.Ordinal)
            // Python caching compiled modules next to read-only sources: it runs from the source instead.
            || d.Target.Contains("/__pycache__", StringComparison.Ordinal)
            // git refreshing its index on the way (git status, describe): it goes on without.
            || d.Target.EndsWith("/.git/index.lock", StringComparison.Ordinal),
        // The same socket's creation, from a .NET program (the dotnet host, or an app host next to its .dll).
        SandboxOperation.Socket => d.Target.StartsWith("AF_UNIX", StringComparison.Ordinal) && IsDotnet(d.Executable),
        // libuv (node) and others try io_uring first and fall back to threads when it is refused.
        _ => d.OperationName == "io_uring",
    };

    private static bool IsDotnet(string executable) =>
        Path.GetFileName(executable) == "dotnet" || File.Exists(executable + ".dll") || File.Exists(executable + ".runtimeconfig.json");
}
