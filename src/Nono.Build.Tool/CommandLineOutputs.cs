using Nono.Build.Tasks;

namespace Nono.Build.Tool;

/// <summary>
/// The folders dotnet's command line tells the build to write: <c>-o</c>/<c>--output</c>,
/// <c>--artifacts-path</c>, test's <c>--results-directory</c>, and the output properties among its
/// <c>-p:</c>. The command line decides the policy, so the build phase may write them, except a
/// folder that would let the build change what it must not (NONO4003, and the build is denied it):
/// one in the repository where dotnet nono reads the next build's policy (outside bin/, obj/,
/// artifacts/, TestResults/), one that holds the repository or HOME, a secrets folder, a git
/// repository, a project's obj/, or one reached through a symlink, which an earlier build may have
/// planted. And the binary log it asks MSBuild for (<c>-bl</c>).
/// </summary>
internal static class CommandLineOutputs
{
    private static readonly string[] Options = ["-o", "--output", "--artifacts-path", "--results-directory"];

    /// <summary>Properties that name an output folder; a relative value is relative to each project.</summary>
    private static readonly string[] Properties = ["OutputPath", "OutDir", "BaseOutputPath", "PackageOutputPath", "PublishDir", "ArtifactsPath"];

    /// <summary>
    /// The folders <paramref name="args"/> name, full (an option's relative to
    /// <paramref name="workingDirectory"/>, a property's to each project of the repository), each
    /// with why it is not granted, or null.
    /// </summary>
    public static IEnumerable<(string Folder, string? Risk)> Folders(IReadOnlyList<string> args, string workingDirectory, Repository repository, string? home)
    {
        // What follows "--" is the test runner's.
        var end = args.ToList().IndexOf("--");
        var own = end < 0 ? args : args.Take(end).ToList();
        var folders = new List<string>();
        for (var i = 0; i < own.Count; i++)
        {
            foreach (var option in Options)
            {
                if (own[i] == option && i + 1 < own.Count)
                    folders.Add(Path.GetFullPath(own[i + 1], workingDirectory));
                else if (own[i].Length > option.Length + 1 && own[i].StartsWith(option, StringComparison.Ordinal) && own[i][option.Length] is '=' or ':')
                    folders.Add(Path.GetFullPath(own[i][(option.Length + 1)..], workingDirectory));
            }
        }
        foreach (var property in Properties)
        {
            // A value MSBuild would expand is not known here.
            if (BuildDiagnostics.CommandLineProperty(own, property) is not { Length: > 0 } value || value.Contains("$(", StringComparison.Ordinal)
                || value.Contains("@(", StringComparison.Ordinal) || value.Contains('%', StringComparison.Ordinal))
                continue;
            if (Path.IsPathRooted(value))
                folders.Add(Path.GetFullPath(value));
            else
                folders.AddRange(repository.ProjectDirectories.Select(p => Path.GetFullPath(value, p)));
        }
        return folders.Select(Path.TrimEndingDirectorySeparator).Distinct(StringComparer.Ordinal)
            .Select(f => (f, Risk(f, repository, home)));
    }

    /// <summary>
    /// The binary logs the command line asks MSBuild for (<c>-bl</c>, <c>-binaryLogger</c>, with a
    /// path or <c>LogFile=</c>; without one, msbuild.binlog in <paramref name="workingDirectory"/>),
    /// full, each with why it is not granted, or null. One file each: the build can write that
    /// file and create nothing beside it, so only its name is checked (a .binlog, no link, no
    /// secrets folder; no {} name, which MSBuild makes up at run time).
    /// </summary>
    public static IEnumerable<(string File, string? Risk)> BinaryLogs(IReadOnlyList<string> args, string workingDirectory, string? home)
    {
        foreach (var quoted in args)
        {
            // As MSBuild reads a switch: quotes dropped, then "--", "-" or "/", the name, ":" and parameters.
            var arg = quoted.Replace("\"", "", StringComparison.Ordinal);
            var option = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg.StartsWith('-') || arg.StartsWith('/') ? arg[1..] : null;
            if (option is null)
                continue;
            var colon = option.IndexOf(':');
            var name = colon < 0 ? option : option[..colon];
            if (!name.Equals("bl", StringComparison.OrdinalIgnoreCase) && !name.Equals("binaryLogger", StringComparison.OrdinalIgnoreCase))
                continue;
            var parameters = colon < 0 ? [] : option[(colon + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var path = parameters.Select(p => p.StartsWith("LogFile=", StringComparison.OrdinalIgnoreCase) ? p["LogFile=".Length..] : p)
                .LastOrDefault(p => !p.Contains('=', StringComparison.Ordinal) && !p.Equals("OmitInitialInfo", StringComparison.OrdinalIgnoreCase)) ?? "msbuild.binlog";
            var file = Path.GetFullPath(path, workingDirectory);
            yield return (file, BinaryLogRisk(file, home));
        }
    }

    /// <summary>Grants the build the folders and the binary log the command line names; each refused one is a NONO4003 note instead (the build is then denied it).</summary>
    public static void GrantTo(BuildPolicy build, IReadOnlyList<string> args, string workingDirectory, Repository repository, string? home)
    {
        foreach (var (folder, risk) in Folders(args, workingDirectory, repository, home))
        {
            Grant(build, folder, risk, "an output", () =>
            {
                Directory.CreateDirectory(folder);
                build.Capabilities.AllowPath(folder, AccessMode.ReadWrite);
                return null;
            });
        }
        foreach (var (file, risk) in BinaryLogs(args, workingDirectory, home))
        {
            Grant(build, file, risk, "the binary log", () =>
            {
                // Landlock grants a file that exists: MSBuild writes it over.
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                if (!File.Exists(file))
                    File.WriteAllBytes(file, []);
                // The rule holds the file itself: not a second name of another one, nor another user's.
                if (UnixFileType.Of(file) is not { Type: UnixFileType.Regular, Links: 1 } log || log.Owner != UnixFileType.EffectiveUser())
                    return "it is not a file of this user's with one name (a hard link would grant the file it names)";
                build.Capabilities.AllowFile(file, AccessMode.ReadWrite);
                return null;
            });
        }
    }

    /// <summary>Runs <paramref name="grant"/> unless <paramref name="risk"/> refuses the path; a refusal (its own, or a failure) becomes the note.</summary>
    private static void Grant(BuildPolicy build, string path, string? risk, string what, Func<string?> grant)
    {
        var refused = risk;
        if (refused is null)
        {
            try
            {
                refused = grant();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NonoException)
            {
                refused = e.Message;
            }
        }
        if (refused is not null)
            build.Notes.Add($"dotnet nono: warning NONO4003: '{path}', which the command line names as {what}, is not made writable: {refused}.");
    }

    private static string? BinaryLogRisk(string file, string? home)
    {
        if (file.Contains('{', StringComparison.Ordinal))
            return "MSBuild makes up its name at run time; name the file";
        if (!file.EndsWith(".binlog", StringComparison.OrdinalIgnoreCase))
            return "a binary log's name ends in .binlog";
        if (SecretFolders.Touched(file, home) is { } secret)
            return $"'{secret}' holds secrets, which the sandbox never grants";
        return ThroughSymlink(file, "file") ?? PolicyItems.WriteRisk(file, file: true);
    }

    private static string? Risk(string folder, Repository repository, string? home)
    {
        bool Holds(string path) => path == folder || path.StartsWith(folder == "/" ? "/" : folder + "/", StringComparison.Ordinal);
        if (Holds(repository.Root))
            return $"it holds the repository ({repository.Root}), whose sources the build would then change";
        if (!repository.ReadsNoBuildFileIn(folder))
            return "dotnet nono reads the next build's policy from the build files in the repository outside bin/, obj/, artifacts/ and TestResults/, so a build able to write there could change it; name a folder under artifacts/ or outside the repository";
        if (home is { Length: > 0 } && Holds(Path.TrimEndingDirectorySeparator(home)))
            return $"it holds the home folder ({home})";
        if (SecretFolders.Touched(folder, home) is { } secret)
            return $"'{secret}' holds secrets, which the sandbox never grants";
        return ThroughSymlink(folder, "folder") ?? PolicyItems.WriteRisk(folder, file: false);
    }

    /// <summary>Why a path that goes through a symlink (itself or a folder above it) is refused, or null.</summary>
    private static string? ThroughSymlink(string path, string what)
    {
        for (var part = path; part != "/"; part = Path.GetDirectoryName(part)!)
        {
            if (new FileInfo(part).LinkTarget is { } target)
                return $"it goes through the symlink '{part}' (to '{target}'), which an earlier build may have planted to widen the sandbox; name the real {what}, or delete the link";
        }
        return null;
    }
}
