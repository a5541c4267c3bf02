namespace Nono.Build.Tasks;

/// <summary>The write grants that would let a step escape (shared with dotnet nono, which links this file).</summary>
internal sealed partial class PolicyItems
{
    /// <summary>git's own entries in .git: what git reads back (and runs), never granted to a step.</summary>
    private static readonly HashSet<string> GitOwn = new(StringComparer.Ordinal)
    {
        "hooks", "config", "info", "modules", "objects", "refs", "logs", "worktrees", "HEAD", "ORIG_HEAD", "FETCH_HEAD", "MERGE_HEAD",
        "index", "packed-refs", "description", "COMMIT_EDITMSG", "shallow", "commondir", "lfs", "branches",
    };

    /// <summary>
    /// Why writing <paramref name="full"/> would let a step reach outside the sandbox, or null. Git
    /// runs .git/hooks and .git/config's commands unsandboxed; MSBuild imports obj/*.props and
    /// *.targets into the next build: never those folders whole, only a subfolder (.git/NAME other
    /// than hooks, config, info) or one file (File="true") that neither reads as code.
    /// </summary>
    internal static string? WriteRisk(string full, bool file)
    {
        var name = Path.GetFileName(full);
        var parent = Path.GetDirectoryName(full) ?? "/";
        if (name == ".git" || (Path.GetFileName(parent) == ".git" && (GitOwn.Contains(name) || name.EndsWith(".lock", StringComparison.Ordinal))))
            return $"git runs what '{full}' holds (hooks, configured commands) outside any sandbox, so a step able to write it could escape. Grant the folder the tool writes inside .git instead (for GitVersion: <SandboxWrite Include=\"$(MSBuildProjectDirectory)/.git/gitversion_cache\" />).";
        if (!file && Directory.Exists(Path.Combine(full, ".git")))
            return $"'{full}' holds a git repository, whose hooks and configuration git runs outside any sandbox, so a step able to write it could escape. Grant the folders the step writes inside it.";
        if (!file && (Directory.Exists(full) && Directory.EnumerateFiles(full, "*.nuget.g.props").Any()
            || Directory.Exists(Path.Combine(full, "obj")) && Directory.EnumerateFiles(Path.Combine(full, "obj"), "*.nuget.g.props").Any()))
            return $"'{full}' is the project's obj/ folder, whose *.props and *.targets MSBuild imports into the next build, so a step able to write it could switch the sandbox off. Grant the one file the tool writes: <SandboxWrite Include=\"$(BaseIntermediateOutputPath)NAME\" File=\"true\" />.";
        if (file && (name.EndsWith(".props", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".targets", StringComparison.OrdinalIgnoreCase)))
            return $"MSBuild may import '{full}' into the build, so a step able to write it could switch the sandbox off; have the tool write its output elsewhere.";
        return null;
    }
}
