using System.Text.RegularExpressions;

namespace Nono.Build.Tasks;

/// <summary>
/// Reads a sandboxed step's output (or, for dotnet nono, the whole build's) for what the sandbox
/// typically causes (a failed name resolution, a refused connection, "Permission denied" on a
/// path) and, if it fails, says which item would allow it (NONO3004), before the generic advice.
/// </summary>
internal sealed partial class StepOutputHints
{
    private const int Kept = 3;

    [GeneratedRegex(@"Temporary failure in name resolution|Could not resolve host|Name or service not known|getaddrinfo (EAI_AGAIN|ENOTFOUND)|No address associated with hostname|Resource temporarily unavailable \([^)]*:\d+\)|nodename nor servname|Failed to resolve|Name does not resolve|NameResolutionError", RegexOptions.IgnoreCase)]
    private static partial Regex NameResolution();

    /// <summary>The host a resolver error names: npm's and node's, curl's, git's and ssh's, Python's, .NET's.</summary>
    [GeneratedRegex(@"(?:getaddrinfo (?:EAI_AGAIN|ENOTFOUND)|Could not resolve host(?:name)?:?|Failed to resolve|Resource temporarily unavailable \()\s*['""]?(?<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", RegexOptions.IgnoreCase)]
    private static partial Regex ResolvedHost();

    [GeneratedRegex(@"(connect(ion)?|socket)[^\n]*(EACCES|EPERM|Permission denied|Operation not permitted|Network is unreachable)|(EACCES|EPERM)[^\n]*connect", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionRefused();

    [GeneratedRegex(@"(?<addr>\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):(?<port>\d{1,5})")]
    private static partial Regex Address();

    /// <summary>A path the output says was denied: "'/p': Permission denied", "EACCES: permission denied, open '/p'", Python's and .NET's forms.</summary>
    [GeneratedRegex(@"(?:['""‘](?<p>/[^'""’]+)['""’]|(?<p>/[^\s:'""]+))\s*:\s*Permission denied|(?:EACCES|EPERM|Permission denied|Errno 13\]|Access to the path)[^'""/\n]*['""‘]?(?<p>/[^'""’\s]+)", RegexOptions.IgnoreCase)]
    private static partial Regex DeniedPath();

    private bool nameResolution;
    private readonly List<string> hosts = [];
    private readonly List<string> ports = [];
    private bool connection;
    private readonly List<string> paths = [];

    public void Observe(string line)
    {
        if (line.Length > 2000)
            return;
        if (NameResolution().IsMatch(line))
        {
            nameResolution = true;
            if (ResolvedHost().Match(line) is { Success: true } h && hosts.Count < Kept && !hosts.Contains(h.Groups["host"].Value))
                hosts.Add(h.Groups["host"].Value);
        }
        else if (ConnectionRefused().IsMatch(line))
        {
            connection = true;
            if (Address().Match(line) is { Success: true } a && ports.Count < Kept && !ports.Contains(a.Groups["port"].Value))
                ports.Add(a.Groups["port"].Value);
        }
        else if (DeniedPath().Match(line) is { Success: true } m && paths.Count < Kept)
        {
            var path = m.Groups["p"].Value.TrimEnd('.', ',', ')');
            if (Path.IsPathRooted(path) && !paths.Contains(path))
                paths.Add(path);
        }
    }

    /// <summary>The hints, each a message that starts with its code; none when the output showed nothing familiar. <paramref name="what"/>: "step" or "build".</summary>
    public IEnumerable<string> Messages(CapabilitySet? policy, string what = "step")
    {
        if (nameResolution && policy?.NetworkMode != NetworkMode.AllowAll)
        {
            var items = hosts.Count > 0 ? string.Join(" ", hosts.Select(h => $"<SandboxNetwork Include=\"{h}\" />")) : "<SandboxNetwork Include=\"HOST\" /> (or '.DOMAIN' for a domain and its subdomains)";
            yield return $"{Diagnostics.StepHint}: the {what}'s output shows a failed name resolution{(hosts.Count > 0 ? $" of {string.Join(", ", hosts)}" : "")}: the sandbox blocks the network, DNS included. "
                + $"The {what} reaches hosts by name through the egress proxy (tools that honour HTTPS_PROXY, as npm, NuGet, git, curl and pip do): if it needs them, add {items}, or <SandboxNetwork Include=\"all\" />.";
        }
        if (connection && policy?.NetworkMode != NetworkMode.AllowAll)
        {
            var items = ports.Count > 0 ? string.Join(" ", ports.Select(p => $"<SandboxNetwork Include=\"{p}\" />")) : "<SandboxNetwork Include=\"PORT\" /> (the port it connects to)";
            yield return $"{Diagnostics.StepHint}: the {what}'s output shows a refused network connection: the sandbox allows TCP only to the ports declared. If the {what} needs it, add {items}, or <SandboxNetwork Include=\"all\" />.";
        }
        var home = Environment.GetEnvironmentVariable("HOME")?.TrimEnd('/');
        foreach (var path in paths)
        {
            if (policy?.FileSystem.Any(c => c.Access.HasFlag(AccessMode.Write) && c.Covers(path)) == true)
                continue; // the sandbox denies nothing there: the step's own cause
            if (SecretFolders.Touched(path, home) is { } secret)
            {
                yield return $"{Diagnostics.StepHint}: the {what}'s output shows 'Permission denied' for '{path}', in the secrets folder '{secret}', which the sandbox keeps from every {what}: give the {what} what it needs another way (a <SandboxEnvironment> variable, a file of its own).";
                continue;
            }
            var read = SandboxSuggestion.For(new SandboxDenial(SandboxOperation.Read, "read", path, null, 0, "", "EACCES"), home).First();
            var write = SandboxSuggestion.For(new SandboxDenial(SandboxOperation.Create, "create", path, null, 0, "", "EACCES"), home).First();
            yield return $"{Diagnostics.StepHint}: the {what}'s output shows 'Permission denied' for '{path}', which the sandbox may have denied. If the {what} reads it, add {read.Xml}; if it writes there, {write.Xml}.";
        }
    }
}
