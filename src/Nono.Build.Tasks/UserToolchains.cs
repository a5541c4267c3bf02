namespace Nono.Build.Tasks;

/// <summary>
/// The user's PATH, so that a command a step names resolves to the same program inside the sandbox
/// as outside: a pyenv/asdf/nvm/rbenv shim, a <c>~/.dotnet/tools</c> or <c>~/.local/bin</c>
/// program. Each PATH folder is granted read and execute with what its programs need (a version
/// manager's root, where shims find the real program), never the home folder as a whole nor a
/// secrets folder. A PATH folder that cannot be granted is a warning: a command from it would be
/// found elsewhere on the PATH inside, or not at all.
/// </summary>
internal static class UserToolchains
{
    /// <summary>Version managers: the root their shims and bin folders need (an environment variable, else a folder in home).</summary>
    private static readonly (string Variable, string InHome)[] Managers =
    [
        ("PYENV_ROOT", ".pyenv"), ("ASDF_DATA_DIR", ".asdf"), ("ASDF_DIR", ".asdf"), ("NVM_DIR", ".nvm"), ("RBENV_ROOT", ".rbenv"),
        ("NODENV_ROOT", ".nodenv"), ("GOENV_ROOT", ".goenv"), ("JENV_ROOT", ".jenv"), ("VOLTA_HOME", ".volta"), ("SDKMAN_DIR", ".sdkman"),
        ("FNM_DIR", ".local/share/fnm"), ("MISE_DATA_DIR", ".local/share/mise"), ("BUN_INSTALL", ".bun"), ("DENO_INSTALL", ".deno"),
    ];

    /// <summary>What a PATH folder in home needs besides itself: its programs' libraries and toolchains.</summary>
    private static readonly (string Bin, string[] Needs)[] Companions =
    [
        (".local/bin", [".local/lib"]),          // pip --user scripts: their packages
        (".cargo/bin", [".rustup"]),             // rustup's proxies: the toolchains (not ~/.cargo: credentials)
        (".dotnet/tools", []),                   // .store/ is inside
    ];

    /// <summary>Grants the PATH's folders; returns a warning for each that cannot be.</summary>
    public static List<string> AddTo(CapabilitySet caps, string? pathVariable, string? home, Func<string, string?> variable)
    {
        var warnings = new List<string>();
        home = string.IsNullOrEmpty(home) || !Path.IsPathRooted(home) ? null : Path.TrimEndingDirectorySeparator(home);
        foreach (var entry in (pathVariable ?? "").Split(':').Distinct(StringComparer.Ordinal))
        {
            if (entry.Length == 0 || !Path.IsPathRooted(entry) || !Directory.Exists(entry))
                continue; // a relative entry resolves in the project folder; a missing one holds nothing
            var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(entry));
            if (caps.FileSystem.Any(c => !c.IsFile && c.Access.HasFlag(AccessMode.Execute) && c.Covers(Resolve(folder))))
                continue; // /usr/bin and the like
            var grants = GrantsFor(folder, home, variable);
            if (grants is null || folder.Count(c => c == '/') < 2)
            {
                var what = folder == home ? "the home folder" : folder.Count(c => c == '/') < 2 ? "a top-level folder" : "a secrets folder, or holds one";
                warnings.Add($"the PATH folder '{folder}' is {what}, which the sandbox never grants: "
                    + "a command from it runs as another program on the PATH inside the sandbox, or is not found. Move the programs to a folder of their own on the PATH, or grant what they need with <SandboxRead Include=\"…\" Execute=\"true\" />.");
                continue;
            }
            foreach (var grant in grants)
            {
                if (SecretFolders.Touched(grant, home) is { } secret)
                {
                    warnings.Add($"the PATH folder '{folder}' needs '{grant}', which is or holds the secrets folder '{secret}'; the sandbox never grants that, so a command from it runs as another program on the PATH inside, or is not found. Grant its programs with a narrower <SandboxRead Include=\"…\" Execute=\"true\" />.");
                    break;
                }
                try
                {
                    if (File.Exists(grant))
                        caps.AllowFile(grant, AccessMode.Read, CapabilitySource.System);
                    else
                        caps.AllowPath(grant, AccessMode.Read | AccessMode.Execute, CapabilitySource.System);
                }
                catch (NonoException e)
                {
                    warnings.Add($"the PATH folder '{folder}' needs '{grant}', which cannot be granted ({e.Message}); a command from it runs as another program on the PATH inside the sandbox, or is not found.");
                }
            }
        }
        return warnings;
    }

    /// <summary>What to grant for one PATH folder: the version manager's root it is in, or the folder and its companions. Null: it is a secrets folder or home.</summary>
    private static List<string>? GrantsFor(string folder, string? home, Func<string, string?> variable)
    {
        if (home is not null && SecretFolders.Touched(folder, home) is not null)
            return null;
        foreach (var (name, inHome) in Managers)
        {
            var root = variable(name) is { Length: > 0 } v && Path.IsPathRooted(v) ? Path.TrimEndingDirectorySeparator(v)
                : home is not null ? home + "/" + inHome : null;
            if (root is not null && (folder == root || folder.StartsWith(root + "/", StringComparison.Ordinal)))
            {
                var grants = new List<string> { root };
                if (name.StartsWith("ASDF", StringComparison.Ordinal) && home is not null && File.Exists(home + "/.tool-versions"))
                    grants.Add(home + "/.tool-versions");
                return grants.Where(g => Directory.Exists(g) || File.Exists(g)).ToList();
            }
        }
        var result = new List<string> { folder };
        if (home is not null)
        {
            foreach (var (bin, needs) in Companions)
            {
                if (folder == home + "/" + bin)
                    result.AddRange(needs.Select(n => home + "/" + n).Where(Directory.Exists));
            }
        }
        return result;
    }

    private static string Resolve(string path)
    {
        try
        {
            return new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}
