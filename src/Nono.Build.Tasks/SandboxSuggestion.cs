using System.Globalization;
using System.Security;

namespace Nono.Build.Tasks;

/// <summary>
/// The Sandbox* item that would allow what a step was denied: the folder that holds a denied
/// path, never wider (never /, never a top-level folder such as /etc, never the home folder
/// itself: then the path alone), or the TCP port. Null Include: no item can allow it.
/// </summary>
/// <param name="Kind">SandboxRead, SandboxWrite or SandboxNetwork.</param>
/// <param name="Include">The path or network entry, the home folder written as $(HOME).</param>
/// <param name="Execute">SandboxRead with Execute="true".</param>
internal sealed record SandboxSuggestion(string Kind, string? Include, bool Execute = false)
{
    public string Xml => Include is null
        ? "(no Sandbox* item allows this yet)"
        : $"<{Kind} Include=\"{SecurityElement.Escape(Include)}\"{(Execute ? " Execute=\"true\"" : "")} />";

    /// <summary>What would allow <paramref name="denial"/>; two items for a rename or link (both folders).</summary>
    public static IEnumerable<SandboxSuggestion> For(SandboxDenial denial, string? home)
    {
        switch (denial.Operation)
        {
            case SandboxOperation.Read:
                yield return new("SandboxRead", Folder(denial.Target, home));
                break;
            case SandboxOperation.Execute:
                yield return new("SandboxRead", Folder(denial.Target, home), Execute: true);
                break;
            case SandboxOperation.Write or SandboxOperation.Create or SandboxOperation.Delete or SandboxOperation.Truncate:
                yield return new("SandboxWrite", Folder(denial.Target, home));
                break;
            case SandboxOperation.Rename or SandboxOperation.Link:
                yield return new("SandboxWrite", Folder(denial.Target, home));
                if (denial.Destination is { Length: > 0 } destination)
                    yield return new("SandboxWrite", Folder(destination, home));
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

    /// <summary>The item path that would allow <paramref name="path"/>: its folder, or the path itself where the folder is too wide.</summary>
    internal static string FolderFor(string path, string? home) => Folder(path, home);

    private static string Folder(string path, string? home)
    {
        var parent = Path.GetDirectoryName(path);
        var tooWide = parent is null || parent == home || parent.Count(c => c == '/') < 2;
        return WithHome(tooWide ? path : parent!, home);
    }

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
