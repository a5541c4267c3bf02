using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>SandboxRead, SandboxWrite and SandboxNetwork items (project-wide or a SandboxExec's own) turned into grants.</summary>
internal sealed class PolicyItems(TaskLoggingHelper log, string projectDirectory)
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
            ok &= Add(caps, "SandboxWrite", item.ItemSpec, access, create: true);
        }
        return ok;
    }

    private bool Add(CapabilitySet caps, string itemName, string spec, AccessMode access, bool create)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            log.LogWarning(null, Diagnostics.BadPath, null, null, 0, 0, 0, 0, $"a {itemName} item is empty and grants nothing; remove it or give it a path.");
            return true;
        }
        var full = Path.GetFullPath(spec, projectDirectory);
        try
        {
            if (create && !File.Exists(full))
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

    /// <summary>Adds SandboxNetwork items: '*' (everything), 'PORT' or '*:PORT' (TCP connect). Host names are refused.</summary>
    public bool AddNetwork(CapabilitySet caps, IEnumerable<ITaskItem> network)
    {
        var ok = true;
        foreach (var item in network)
        {
            var spec = item.ItemSpec.Trim();
            var port = spec.StartsWith("*:", StringComparison.Ordinal) ? spec[2..] : spec;
            if (spec == "*")
                caps.SetNetworkMode(NetworkMode.AllowAll);
            else if (int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535)
                caps.AllowTcpConnect(number);
            else
            {
                var hint = spec.Contains(':') || char.IsLetter(spec.FirstOrDefault())
                    ? "host names are reserved for the egress proxy, which does not exist yet, and are never widened to a port or to everything"
                    : "expected '*', a TCP port 1-65535, or '*:PORT'";
                log.LogError(null, Diagnostics.BadNetwork, null, null, 0, 0, 0, 0,
                    $"<SandboxNetwork Include=\"{item.ItemSpec}\" /> is not supported: {hint}. Allow the port with <SandboxNetwork Include=\"443\" /> or all network with <SandboxNetwork Include=\"*\" />.");
                ok = false;
            }
        }
        return ok;
    }
}
