using Nono.Build.Tasks;

namespace Nono.Build.Tool;

/// <summary>
/// The folders dotnet's command line tells the build to write: <c>-o</c>/<c>--output</c>,
/// <c>--artifacts-path</c>, test's <c>--results-directory</c>, and the output properties among its
/// <c>-p:</c>. The command line decides the policy, so the build phase may write them, except a
/// folder that would let the build change what it must not: one that holds the repository or
/// HOME, a git repository, or a project's obj/ (NONO4003, and the build is denied it).
/// </summary>
internal static class CommandLineOutputs
{
    private static readonly string[] Options = ["-o", "--output", "--artifacts-path", "--results-directory"];

    /// <summary>Properties that name an output folder; a relative value is relative to each project.</summary>
    private static readonly string[] Properties = ["OutputPath", "OutDir", "BaseOutputPath", "PackageOutputPath", "PublishDir", "ArtifactsPath"];

    /// <summary>
    /// The folders <paramref name="args"/> name, full (an option's relative to
    /// <paramref name="workingDirectory"/>, a property's to each of <paramref name="projectDirectories"/>),
    /// each with why it is not granted, or null.
    /// </summary>
    public static IEnumerable<(string Folder, string? Risk)> Folders(IReadOnlyList<string> args, string workingDirectory, IReadOnlyList<string> projectDirectories, string repositoryRoot, string? home)
    {
        var folders = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            foreach (var option in Options)
            {
                if (args[i] == option && i + 1 < args.Count)
                    folders.Add(Path.GetFullPath(args[i + 1], workingDirectory));
                else if (args[i].Length > option.Length + 1 && args[i].StartsWith(option, StringComparison.Ordinal) && args[i][option.Length] is '=' or ':')
                    folders.Add(Path.GetFullPath(args[i][(option.Length + 1)..], workingDirectory));
            }
        }
        foreach (var property in Properties)
        {
            if (BuildDiagnostics.CommandLineProperty(args, property) is not { Length: > 0 } value)
                continue;
            if (Path.IsPathRooted(value))
                folders.Add(Path.GetFullPath(value));
            else
                folders.AddRange(projectDirectories.Select(p => Path.GetFullPath(value, p)));
        }
        return folders.Select(Path.TrimEndingDirectorySeparator).Distinct(StringComparer.Ordinal)
            .Select(f => (f, Risk(f, repositoryRoot, home)));
    }

    private static string? Risk(string folder, string repositoryRoot, string? home)
    {
        bool Holds(string path) => path == folder || path.StartsWith(folder == "/" ? "/" : folder + "/", StringComparison.Ordinal);
        if (Holds(repositoryRoot))
            return $"it holds the repository ({repositoryRoot}), whose sources the build would then change";
        if (home is { Length: > 0 } && Holds(Path.TrimEndingDirectorySeparator(home)))
            return $"it holds the home folder ({home})";
        return PolicyItems.WriteRisk(folder, file: false);
    }
}
