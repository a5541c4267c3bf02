using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>
/// Credentials in git configuration that every step can read: the repository's .git/config (the
/// source root is readable) and the user's ~/.gitconfig (granted so git works). CI checkouts often
/// leave one there (actions/checkout's http.extraheader, a token in a url.insteadOf), and a step can
/// copy it into bin/, which CI then uploads or packs. The user's is replaced for steps by a copy
/// without it; the repository's cannot be (git reads it on every command and stops without it).
/// </summary>
internal static partial class GitCredentials
{
    /// <summary>An Authorization header, or a URL with a password or token in it.</summary>
    [GeneratedRegex(@"^[ \t]*(?:extraheader[ \t]*=.*\b(?:authorization|private-token|job-token)\b|\[[^\]\n]*://[^/\s@\]]+:[^/\s@\]]+@|[\w.-]+[ \t]*=.*://[^/\s@]+:[^/\s@]+@).*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex Credential();

    /// <summary>Warns (NONO0012) once per build for each file that holds a credential, with the fix.</summary>
    public static void Warn(TaskLoggingHelper log, IBuildEngine engine, string sourceRoot)
    {
        foreach (var file in ConfigFiles(sourceRoot))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (!Credential().IsMatch(text) || !FirstTimeThisBuild(engine, file))
                continue;
            log.LogWarning(null, Diagnostics.GitCredential, null, file, 0, 0, 0, 0,
                $"'{file}' holds a credential (an http extraheader or a URL with a token), and every build step can read it and copy it into the outputs. "
                + "In GitHub Actions check out with 'persist-credentials: false'; otherwise remove it after checkout (git config --unset-all http.<url>.extraheader) "
                + "and give credentials to the steps that need them through a credential helper or <SandboxEnvironment>.");
        }
    }

    /// <summary>
    /// The user's git configuration (XDG, then ~/.gitconfig, git's order) without its credentials,
    /// written to <paramref name="replacement"/> for steps to read through GIT_CONFIG_GLOBAL, when
    /// one of them holds a credential. Returns the files steps must then not be granted.
    /// </summary>
    public static IReadOnlySet<string> HideFromSteps(string replacement)
    {
        var files = DefaultPolicy.GitUserConfigFiles().Where(f => Path.GetFileName(f) is ".gitconfig" or "config").Where(File.Exists).Reverse().ToList();
        var texts = files.Select(f => { try { return File.ReadAllText(f); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; } }).ToList();
        if (!texts.Any(Credential().IsMatch))
            return new HashSet<string>();
        var sanitized = string.Join("\n", texts.Select(t => Credential().Replace(t, m => m.Value.TrimStart().StartsWith('[') ? "[nono-removed-credential]" : "")));
        Directory.CreateDirectory(Path.GetDirectoryName(replacement)!);
        var temp = replacement + ".tmp";
        File.WriteAllText(temp, sanitized);
        File.Move(temp, replacement, overwrite: true);
        return files.ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> ConfigFiles(string sourceRoot)
    {
        var dotGit = Path.Combine(sourceRoot, ".git");
        if (Directory.Exists(dotGit))
            yield return Path.Combine(dotGit, "config");
        else if (File.Exists(dotGit) && File.ReadAllText(dotGit).Trim() is var pointer && pointer.StartsWith("gitdir:", StringComparison.Ordinal))
        {
            // A worktree: its config is the main repository's.
            var gitDir = Path.GetFullPath(pointer["gitdir:".Length..].Trim(), sourceRoot);
            var common = Path.Combine(gitDir, "commondir");
            yield return Path.Combine(File.Exists(common) ? Path.GetFullPath(File.ReadAllText(common).Trim(), gitDir) : gitDir, "config");
        }
        foreach (var file in DefaultPolicy.GitUserConfigFiles())
            yield return file;
    }

    private static bool FirstTimeThisBuild(IBuildEngine engine, string file)
    {
        var key = "Nono.Build.GitCredentials|" + file;
        var registry = (IBuildEngine4)engine;
        lock (typeof(GitCredentials))
        {
            if (registry.GetRegisteredTaskObject(key, RegisteredTaskObjectLifetime.Build) is not null)
                return false;
            registry.RegisterTaskObject(key, file, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
            return true;
        }
    }
}
