using System.Globalization;
using System.Security;
using System.Text.RegularExpressions;

namespace Nono.Build.Tasks;

/// <summary>
/// The Sandbox* item that would allow what a step was denied: the folder that holds a denied
/// path, never wider (never /, never a top-level folder such as /etc, never the home folder
/// itself: then the path alone), or the TCP port. Null Include: no item can allow it.
/// </summary>
/// <param name="Kind">SandboxRead, SandboxWrite or SandboxNetwork.</param>
/// <param name="Include">The path or network entry, the home folder written as $(HOME).</param>
/// <param name="Execute">SandboxRead with Execute="true".</param>
internal sealed partial record SandboxSuggestion(string Kind, string? Include, bool Execute = false)
{
    /// <summary>SandboxWrite of one file (File="true"): in obj/ itself, where a folder grant would let a step plant imported props.</summary>
    public bool File { get; init; }

    /// <summary>The secrets folder the denied path is in: no item is suggested, a warning says so.</summary>
    public string? Secret { get; init; }

    /// <summary>Why no item may allow it (git's own files, a file MSBuild imports): no item is suggested.</summary>
    public string? Reason { get; init; }

    public string Xml => Include is not null
        ? $"<{Kind} Include=\"{SecurityElement.Escape(Include)}\"{(Execute ? " Execute=\"true\"" : "")}{(File ? " File=\"true\"" : "")} />"
        : Secret is not null
            ? $"no item allows it: '{Secret}' holds secrets, which the sandbox never grants; give the step what it needs another way (a <SandboxEnvironment> variable, a file of its own)"
            : Reason is not null
                ? $"no item allows it: {Reason}"
                : "(no Sandbox* item allows this yet)";

    /// <summary>
    /// The items that would allow <paramref name="denial"/> as the diagnostics print them (each
    /// once, joined by "and"), and whether none may (a secrets folder, git's own files).
    /// </summary>
    public static (string Items, bool NoneMay) Text(SandboxDenial denial, string? home)
    {
        var suggestions = For(denial, home).ToList();
        return (string.Join(" and ", suggestions.Select(s => s.Xml).Distinct()), suggestions.All(s => s.Secret is not null || s.Reason is not null));
    }

    /// <summary>
    /// The item as the suggested props file has it: a SandboxRead only where its folder exists, so
    /// that the file imports cleanly on a machine that has not made it yet (a path that does not
    /// exist is "not found" to the step either way); a SandboxWrite creates its folder.
    /// </summary>
    public string PropsXml => Kind == "SandboxRead" && Include is not null
        ? $"<{Kind} Include=\"{SecurityElement.Escape(Include)}\" Condition=\"Exists('{SecurityElement.Escape(Include)}')\"{(Execute ? " Execute=\"true\"" : "")} />"
        : Xml;

    /// <summary>What would allow <paramref name="denial"/>; two items for a rename or link (both folders).</summary>
    public static IEnumerable<SandboxSuggestion> For(SandboxDenial denial, string? home)
    {
        switch (denial.Operation)
        {
            case SandboxOperation.Read:
                yield return PathItem("SandboxRead", denial.Target, home);
                break;
            case SandboxOperation.Execute:
                yield return PathItem("SandboxRead", denial.Target, home, execute: true);
                break;
            case SandboxOperation.Write or SandboxOperation.Create or SandboxOperation.Delete or SandboxOperation.Truncate:
                yield return PathItem("SandboxWrite", denial.Target, home);
                break;
            case SandboxOperation.Rename or SandboxOperation.Link:
                yield return PathItem("SandboxWrite", denial.Target, home);
                if (denial.Destination is { Length: > 0 } destination)
                    yield return PathItem("SandboxWrite", destination, home);
                break;
            case SandboxOperation.Connect when DenialReport.IsUnixSocket(denial.Target):
                // A socket outside the build's own processes (dotnet nono's --unix-own): no item reaches one.
                yield return new("", null);
                break;
            case SandboxOperation.Connect when Port(denial.Target) is { } port:
                yield return new("SandboxNetwork", port);
                break;
            case SandboxOperation.Connect or SandboxOperation.Bind:
                // No item allows binding one port or a Fast Open connection: only all network does.
                yield return new("SandboxNetwork", "all");
                break;
            case SandboxOperation.Socket when !denial.Target.StartsWith("AF_UNIX", StringComparison.Ordinal):
                yield return new("SandboxNetwork", "all");
                break;
            default:
                yield return new("", null);
                break;
        }
    }

    /// <summary>
    /// The suggestions for a set of denials: one per folder, rights merged (read and execute of
    /// one folder: one item with Execute), none that another suggested folder above it already gives.
    /// </summary>
    public static IReadOnlyList<SandboxSuggestion> Fold(IEnumerable<SandboxDenial> denials, string? home)
    {
        var merged = new List<SandboxSuggestion>();
        foreach (var s in denials.SelectMany(d => For(d, home)).Where(s => s.Include is not null))
        {
            var same = merged.FindIndex(m => m.Kind == s.Kind && m.Include == s.Include);
            if (same < 0)
                merged.Add(s);
            else if (s.Execute)
                merged[same] = merged[same] with { Execute = true };
        }
        return merged.Where(s => !merged.Any(other => other != s && other.Gives(s))).ToList();
    }

    /// <summary>Whether this item already allows everything <paramref name="other"/> does.</summary>
    private bool Gives(SandboxSuggestion other)
    {
        if (Kind == "SandboxNetwork")
            return other.Kind == "SandboxNetwork" && Include == "all" && other.Include != "all";
        var rights = Kind == "SandboxWrite" || other.Kind == "SandboxRead";
        return rights && (Execute || !other.Execute) && other.Kind != "SandboxNetwork"
            && other.Include!.StartsWith(Include + "/", StringComparison.Ordinal);
    }

    /// <summary>The item path that would allow <paramref name="path"/> (see <see cref="Folder"/>), or null where none may be suggested.</summary>
    internal static string? FolderFor(string path, string? home) => Folder(path, home) is { } folder ? WithHome(folder, home) : null;

    private static SandboxSuggestion PathItem(string kind, string path, string? home, bool execute = false)
    {
        if (home is { Length: > 1 } && SecretFolders.Touched(path, home) is { } secret && secret != home)
            return new(kind, null) { Secret = secret };
        if (kind == "SandboxWrite" && GitOrObj(path) is { } narrow)
            return narrow;
        return Folder(path, home) is { } folder ? new(kind, WithHome(folder, home), execute) : new(kind, null);
    }

    /// <summary>
    /// Writing in .git or the project's obj/ folder itself: git runs hooks and configuration
    /// outside any sandbox, MSBuild imports obj/*.props. Only the folder the tool made in .git
    /// (never hooks, config, …) or the one file in obj/ (File="true"); null for anywhere else.
    /// </summary>
    private static SandboxSuggestion? GitOrObj(string path)
    {
        var parts = path.Split('/');
        var git = Array.IndexOf(parts, ".git");
        if (git > 0)
        {
            if (git + 1 >= parts.Length || PolicyItems.WriteRisk(string.Join('/', parts[..(git + 2)]), false) is not null)
            {
                return new("SandboxWrite", null)
                {
                    Reason = $"git runs what '{string.Join('/', parts[..(git + 1)])}' holds outside any sandbox, so no item lets the build write git's own files (a git that only refreshes its index, as version tools' does, goes on without it)",
                };
            }
            return new("SandboxWrite", MSBuildEscape(string.Join('/', parts[..(git + 2)])));
        }
        var parent = Path.GetDirectoryName(path);
        if (parent is not null && Path.GetFileName(parent) == "obj" && Directory.Exists(parent) && Directory.EnumerateFiles(parent, "*.nuget.g.props").Any())
            return PolicyItems.WriteRisk(path, true) is { } risk ? new("SandboxWrite", null) { Reason = risk } : new("SandboxWrite", MSBuildEscape(path)) { File = true };
        return null;
    }

    /// <summary>
    /// The folder to allow for a denied path, stable from one run and one machine to the next: the
    /// folder holding it, cut above any process id, content hash or version folder, and folded to a
    /// tool's cache or configuration root in home (~/.cache/TOOL, ~/.config/TOOL, ~/.local/share/TOOL,
    /// ~/.TOOL). Never /, a top-level folder or home itself (then the path alone, if that is not one
    /// of them either); nothing under /proc (a process's own files), nothing that holds a secrets folder.
    /// </summary>
    private static string? Folder(string path, string? home)
    {
        if (path == "/proc" || path.StartsWith("/proc/", StringComparison.Ordinal))
            return null;
        home = home is { Length: > 1 } ? home : null;
        var parts = (Path.GetDirectoryName(path) ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        var homeDepth = home?.Split('/', StringSplitOptions.RemoveEmptyEntries).Length ?? -1;
        var inHome = home is not null && path.StartsWith(home + "/", StringComparison.Ordinal);
        var volatileAt = parts.Count > 2 ? parts.FindIndex(2, IsVolatile) : -1;
        if (volatileAt >= 2)
            parts = parts[..volatileAt];
        if (inHome && parts.Count > homeDepth)
        {
            // ~/.cache/TOOL/…, ~/.config/TOOL/…, ~/.local/share/TOOL/…: the tool's root; ~/.TOOL/…: that folder.
            var rel = parts.Skip(homeDepth).ToList();
            var keep = rel switch
            {
                [".cache" or ".config", _, ..] => 2,
                [".local", "share" or "state", _, ..] => 3,
                [var top, ..] when top.StartsWith('.') => 1,
                _ => rel.Count,
            };
            // The shallowest such root that holds no secrets folder (~/.dotnet holds the user's certificate store: ~/.dotnet/toolResolverCache).
            for (; keep <= rel.Count; keep++)
            {
                var folded = parts[..(homeDepth + keep)];
                if (SecretFolders.Touched("/" + string.Join('/', folded), home) is null)
                {
                    parts = folded;
                    break;
                }
            }
        }
        var folder = "/" + string.Join('/', parts);
        if (parts.Count >= 2 && folder != home)
            return folder;
        var alone = path.TrimEnd('/');
        return alone.Count(c => c == '/') >= 2 && alone != home ? alone : null;
    }

    /// <summary>A folder name that changes from run to run or version to version: a process id, a content hash, a version.</summary>
    private static bool IsVolatile(string name) =>
        AllDigits().IsMatch(name) || Hash().IsMatch(name) || Version().IsMatch(name);

    [GeneratedRegex(@"^\d{2,}$")]
    private static partial Regex AllDigits();

    [GeneratedRegex(@"^(?=[^.]*\d)[0-9a-fA-F_-]{12,}$|^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+_=-]{24,}$")]
    private static partial Regex Hash();

    [GeneratedRegex(@"^v?\d+\.\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$")]
    private static partial Regex Version();

    private static string WithHome(string path, string? home) =>
        home is { Length: > 1 } && path.StartsWith(home + "/", StringComparison.Ordinal)
            ? "$(HOME)" + MSBuildEscape(path[home.Length..])
            : MSBuildEscape(path);

    /// <summary>MSBuild's %XX escapes, so that ;, $, @, %, *, ? and ' in a path stay part of it.</summary>
    private static string MSBuildEscape(string path) =>
        string.Concat(path.Select(c => c is '%' or ';' or '$' or '@' or '*' or '?' or '\'' ? $"%{(int)c:X2}" : c.ToString()));

    /// <summary>The port of "address:port" or "[v6]:port".</summary>
    private static string? Port(string target)
    {
        var colon = target.LastIndexOf(':');
        return colon > 0 && int.TryParse(target.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port.ToString(CultureInfo.InvariantCulture)
            : null;
    }
}
