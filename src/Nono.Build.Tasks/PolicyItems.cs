using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>SandboxRead, SandboxWrite and SandboxNetwork items (project-wide or a SandboxExec's own) turned into grants.</summary>
internal sealed partial class PolicyItems(TaskLoggingHelper log, string projectDirectory)
{
    /// <summary>Adds Read and Write items. Returns false, with errors logged, if any is unusable.</summary>
    public bool AddPaths(CapabilitySet caps, IEnumerable<ITaskItem> read, IEnumerable<ITaskItem> write)
    {
        var ok = true;
        foreach (var item in read)
        {
            var access = string.Equals(item.GetMetadata("Execute"), "true", StringComparison.OrdinalIgnoreCase)
                ? AccessMode.Read | AccessMode.Execute
                : AccessMode.Read;
            ok &= Add(caps, "SandboxRead", item.ItemSpec, access, create: false);
        }
        foreach (var item in write)
        {
            // A declared folder is the project's own: links there are allowed, unlike in the outputs.
            var access = string.Equals(item.GetMetadata("Execute"), "true", StringComparison.OrdinalIgnoreCase)
                ? AccessMode.ReadWrite | AccessMode.CreateSymlink | AccessMode.Execute
                : AccessMode.ReadWrite | AccessMode.CreateSymlink;
            var file = string.Equals(item.GetMetadata("File"), "true", StringComparison.OrdinalIgnoreCase);
            ok &= Add(caps, "SandboxWrite", item.ItemSpec, access, create: true, file);
        }
        return ok;
    }

    private bool Add(CapabilitySet caps, string itemName, string spec, AccessMode access, bool create, bool file = false)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            log.LogWarning(null, Diagnostics.BadPath, null, null, 0, 0, 0, 0, $"a {itemName} item is empty and grants nothing; remove it or give it a path.");
            return true;
        }
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec, projectDirectory));
        if (create && WriteRisk(full, file) is { } risk)
        {
            log.LogError(null, Diagnostics.BadPath, null, null, 0, 0, 0, 0, $"<{itemName} Include=\"{spec}\" /> is refused: {risk}");
            return false;
        }
        try
        {
            if (create && file && !File.Exists(full) && !Directory.Exists(full))
                File.WriteAllBytes(full, []); // a file grant: the step writes it, and cannot replace it or add others beside it
            else if (create && !File.Exists(full))
                Directory.CreateDirectory(full);
            if (File.Exists(full))
                caps.AllowFile(full, access);
            else
                caps.AllowPath(full, access);
            return true;
        }
        catch (NonoException e) when (e.Kind == NonoErrorKind.PathNotFound)
        {
            log.LogError(null, Diagnostics.BadPath, null, null, 0, 0, 0, 0,
                $"<{itemName} Include=\"{spec}\" /> names '{full}', which does not exist; fix the path, create it before the build, or remove the item.");
        }
        catch (Exception e) when (e is NonoException or IOException or UnauthorizedAccessException)
        {
            log.LogError(null, Diagnostics.BadPath, null, null, 0, 0, 0, 0,
                $"<{itemName} Include=\"{spec}\" /> cannot be granted: {e.Message}; fix the path or remove the item.");
        }
        return false;
    }

    /// <summary>
    /// Adds SandboxNetwork items: 'all' (no restriction) or 'PORT' (TCP connections to it) to
    /// <paramref name="caps"/>; the host forms ('HOST', 'HOST:PORT', '.DOMAIN', '.DOMAIN:PORT') to
    /// <paramref name="hosts"/>, for the egress proxy. A value that is one of the project's files
    /// is a wildcard MSBuild expanded ('*'), an error that says what to write.
    /// </summary>
    public bool AddNetwork(CapabilitySet caps, IEnumerable<ITaskItem> network, ICollection<HostPattern> hosts)
    {
        var ok = true;
        foreach (var item in network)
        {
            var entry = NetworkEntry.Parse(item.ItemSpec);
            if (entry.Kind == NetworkEntryKind.Empty)
            {
                log.LogWarning(null, Diagnostics.EmptyItem, null, null, 0, 0, 0, 0,
                    "a SandboxNetwork item is empty and allows nothing; remove it, or write 'all' or a port.");
                continue;
            }
            if (entry.Kind is not (NetworkEntryKind.All or NetworkEntryKind.Port) && ExpandedWildcard(item) is { } file)
            {
                log.LogError(null, Diagnostics.BadNetwork, null, null, 0, 0, 0, 0,
                    $"a SandboxNetwork item is '{item.ItemSpec}', which names the project's '{file}': MSBuild expanded a wildcard ('*') in it. "
                    + "Write <SandboxNetwork Include=\"all\" /> for all network, or the port alone (<SandboxNetwork Include=\"443\" />) instead of '*:443'.");
                ok = false;
                continue;
            }
            switch (entry.Kind)
            {
                case NetworkEntryKind.All:
                    caps.SetNetworkMode(NetworkMode.AllowAll);
                    break;
                case NetworkEntryKind.Port:
                    // A port item is any address: not the proxy-only mode, which Seatbelt narrows to localhost.
                    if (caps.NetworkMode == NetworkMode.ProxyOnly)
                        caps.SetNetworkMode(NetworkMode.Blocked);
                    caps.AllowTcpConnect(entry.Port!.Value);
                    break;
                case NetworkEntryKind.Host:
                    if (!hosts.Contains(entry.Host!))
                        hosts.Add(entry.Host!);
                    break;
                default:
                    log.LogError(null, Diagnostics.BadNetwork, null, null, 0, 0, 0, 0,
                        $"<SandboxNetwork Include=\"{item.ItemSpec}\" /> is not supported: {entry.Problem}.");
                    ok = false;
                    break;
            }
        }
        return ok;
    }

    /// <summary>The project file an item names: MSBuild expanded a wildcard into it. Null if it names none.</summary>
    private string? ExpandedWildcard(ITaskItem item)
    {
        if (item.GetMetadata("RecursiveDir").Length > 0)
            return item.ItemSpec;
        try
        {
            var full = Path.GetFullPath(item.ItemSpec, projectDirectory);
            return File.Exists(full) || Directory.Exists(full) ? full : null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            return null;
        }
    }
}
