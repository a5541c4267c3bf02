using System.Security.Cryptography;

namespace Nono.Build.Tool;

/// <summary>
/// What restore writes and the build reads, in each project's obj/: the assets file, NuGet's
/// generated props and targets, its no-op record. dotnet nono compares them, by content, before and
/// after a restore that ran beside the build: unchanged, the build read what restore left.
/// </summary>
internal sealed class RestoreOutputs
{
    private readonly Dictionary<string, string> hashes;

    private RestoreOutputs(Dictionary<string, string> hashes) => this.hashes = hashes;

    /// <summary>The outputs of every project of the repository, or null when a project has none yet (restore will write them: it is not a no-op).</summary>
    public static RestoreOutputs? Read(Repository repository)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in repository.ProjectDirectories)
        {
            var obj = Path.Combine(project, "obj");
            if (!File.Exists(Path.Combine(obj, "project.assets.json")))
                return null;
            foreach (var file in Directory.EnumerateFiles(obj))
            {
                var name = Path.GetFileName(file);
                if (name is "project.assets.json" or "project.nuget.cache" || name.EndsWith(".nuget.g.props", StringComparison.Ordinal) || name.EndsWith(".nuget.g.targets", StringComparison.Ordinal))
                    hashes[file] = Hash(file);
            }
        }
        return new RestoreOutputs(hashes);
    }

    public bool SameAs(RestoreOutputs? other) =>
        other is not null && other.hashes.Count == hashes.Count && hashes.All(h => other.hashes.TryGetValue(h.Key, out var hash) && hash == h.Value);

    private static string Hash(string file)
    {
        try
        {
            return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
