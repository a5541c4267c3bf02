using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>
/// Reads a sandboxed step's output for what the sandbox typically causes (a failed name
/// resolution, a refused connection, "Permission denied" on a path) and, if the step fails, says
/// which item would allow it (NONO3004), before the generic advice.
/// </summary>
internal sealed partial class StepOutputHints
{
    private const int Kept = 3;

    [GeneratedRegex(@"Temporary failure in name resolution|Could not resolve host|Name or service not known|getaddrinfo (EAI_AGAIN|ENOTFOUND)|No address associated with hostname|Resource temporarily unavailable \([^)]*:\d+\)|nodename nor servname|Failed to resolve|Name does not resolve|NameResolutionError", RegexOptions.IgnoreCase)]
    private static partial Regex NameResolution();

    [GeneratedRegex(@"(connect(ion)?|socket)[^\n]*(EACCES|EPERM|Permission denied|Operation not permitted|Network is unreachable)|(EACCES|EPERM)[^\n]*connect", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionRefused();

    [GeneratedRegex(@"(?<addr>\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):(?<port>\d{1,5})")]
    private static partial Regex Address();

    /// <summary>A path the output says was denied: "'/p': Permission denied", "EACCES: permission denied, open '/p'", Python's and .NET's forms.</summary>
    [GeneratedRegex(@"(?:['""‘](?<p>/[^'""’]+)['""’]|(?<p>/[^\s:'""]+))\s*:\s*Permission denied|(?:EACCES|EPERM|Permission denied|Errno 13\]|Access to the path)[^'""/\n]*['""‘]?(?<p>/[^'""’\s]+)", RegexOptions.IgnoreCase)]
    private static partial Regex DeniedPath();

    private bool nameResolution;
    private readonly List<string> ports = [];
    private bool connection;
    private readonly List<string> paths = [];

    public void Observe(string line)
    {
        if (line.Length > 2000)
            return;
        if (NameResolution().IsMatch(line))
            nameResolution = true;
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

    /// <summary>Logs the hints; false when the output showed none.</summary>
    public bool Log(TaskLoggingHelper log, CapabilitySet? policy)
    {
        var any = false;
        if (nameResolution && policy?.NetworkMode != NetworkMode.AllowAll)
        {
            log.LogMessage(MessageImportance.High,
                "{0}: the step's output shows a failed name resolution: the sandbox blocks the network, DNS included. Steps reach hosts by name through the egress proxy (tools that honour HTTPS_PROXY, as npm, NuGet, git, curl and pip do): if the step needs a host, add <SandboxNetwork Include=\"HOST\" /> (or '.DOMAIN' for a domain and its subdomains), or <SandboxNetwork Include=\"all\" />.",
                Diagnostics.StepHint);
            any = true;
        }
        if (connection && policy?.NetworkMode != NetworkMode.AllowAll)
        {
            var items = ports.Count > 0 ? string.Join(" ", ports.Select(p => $"<SandboxNetwork Include=\"{p}\" />")) : "<SandboxNetwork Include=\"PORT\" /> (the port it connects to)";
            log.LogMessage(MessageImportance.High,
                "{0}: the step's output shows a refused network connection: the sandbox allows TCP only to the ports declared. If the step needs it, add {1}, or <SandboxNetwork Include=\"all\" />.",
                Diagnostics.StepHint, items);
            any = true;
        }
        var home = Environment.GetEnvironmentVariable("HOME")?.TrimEnd('/');
        foreach (var path in paths)
        {
            if (policy?.FileSystem.Any(c => c.Access.HasFlag(AccessMode.Write) && c.Covers(path)) == true)
                continue; // the sandbox denies nothing there: the step's own cause
            if (SecretFolders.Touched(path, home) is { } secret)
            {
                log.LogMessage(MessageImportance.High,
                    "{0}: the step's output shows 'Permission denied' for '{1}', in the secrets folder '{2}', which the sandbox keeps from every step: give the step what it needs another way (a <SandboxEnvironment> variable, a file of its own).",
                    Diagnostics.StepHint, path, secret);
                any = true;
                continue;
            }
            var read = SandboxSuggestion.For(new SandboxDenial(SandboxOperation.Read, "read", path, null, 0, "", "EACCES"), home).First();
            var write = SandboxSuggestion.For(new SandboxDenial(SandboxOperation.Create, "create", path, null, 0, "", "EACCES"), home).First();
            log.LogMessage(MessageImportance.High,
                "{0}: the step's output shows 'Permission denied' for '{1}', which the sandbox may have denied. If the step reads it, add {2}; if it writes there, {3}.",
                Diagnostics.StepHint, path, read.Xml, write.Xml);
            any = true;
        }
        return any;
    }
}
