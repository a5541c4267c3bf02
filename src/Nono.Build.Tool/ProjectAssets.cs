using System.Text.Json;

namespace Nono.Build.Tool;

/// <summary>One package a project uses, as its assets file records it.</summary>
/// <param name="Directory">The package's folder in one of the assets file's package folders; null if it is in none.</param>
/// <param name="MSBuildFiles">The props and targets NuGet imports from it (build, buildTransitive, buildMultiTargeting), relative to the package.</param>
internal sealed record PackageUse(string Id, string Version, string? Directory, IReadOnlyList<string> MSBuildFiles);

/// <summary>
/// A project's <c>project.assets.json</c>, the file restore writes into its obj/ (the artifacts
/// layout's <c>artifacts/obj/&lt;project&gt;/</c>): the packages the project uses, where they are,
/// and its project references. Read as JSON data; nothing of the project is evaluated.
/// </summary>
internal sealed record ProjectAssets(string Project, string AssetsFile, IReadOnlyList<PackageUse> Packages, IReadOnlyList<string> ProjectReferences)
{
    public const string FileName = "project.assets.json";

    /// <summary>The project's language folder name under analyzers/ (cs, vb, fs), from its file's extension; null if it has none.</summary>
    public string? Language => Path.GetExtension(Project).ToLowerInvariant() switch
    {
        ".csproj" => "cs",
        ".vbproj" => "vb",
        ".fsproj" => "fs",
        _ => null,
    };

    /// <summary>Where the assets file of <paramref name="project"/> is (obj/, else the artifacts layout's), or null if it has none.</summary>
    public static string? Find(string project, string repositoryRoot)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(project))!;
        string[] candidates =
        [
            Path.Combine(directory, "obj", FileName),
            Path.Combine(repositoryRoot, "artifacts", "obj", Path.GetFileNameWithoutExtension(project), FileName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Reads the assets file of <paramref name="project"/> at <paramref name="assetsFile"/>.</summary>
    public static ProjectAssets Read(string project, string assetsFile)
    {
        using var stream = File.OpenRead(assetsFile);
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        var folders = new List<string>();
        if (root.TryGetProperty("packageFolders", out var packageFolders) && packageFolders.ValueKind == JsonValueKind.Object)
            folders.AddRange(packageFolders.EnumerateObject().Select(f => f.Name));

        // What each package brings to MSBuild, over every target framework (and runtime) of the project.
        var msbuildFiles = new Dictionary<string, SortedSet<string>>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Object)
        {
            foreach (var target in targets.EnumerateObject().Where(t => t.Value.ValueKind == JsonValueKind.Object))
            {
                foreach (var library in target.Value.EnumerateObject().Where(l => l.Value.ValueKind == JsonValueKind.Object))
                {
                    if (!msbuildFiles.TryGetValue(library.Name, out var files))
                        msbuildFiles[library.Name] = files = new SortedSet<string>(StringComparer.Ordinal);
                    foreach (var group in new[] { "build", "buildMultiTargeting" })
                    {
                        if (library.Value.TryGetProperty(group, out var assets) && assets.ValueKind == JsonValueKind.Object)
                            files.UnionWith(assets.EnumerateObject().Select(a => a.Name).Where(a => !a.EndsWith("_._", StringComparison.Ordinal)));
                    }
                }
            }
        }

        var packages = new List<PackageUse>();
        var references = new List<string>();
        var projectDirectory = Path.GetDirectoryName(Path.GetFullPath(project))!;
        if (root.TryGetProperty("libraries", out var libraries) && libraries.ValueKind == JsonValueKind.Object)
        {
            foreach (var library in libraries.EnumerateObject().Where(l => l.Value.ValueKind == JsonValueKind.Object))
            {
                var type = library.Value.TryGetProperty("type", out var t) ? t.GetString() : null;
                var path = library.Value.TryGetProperty("path", out var p) ? p.GetString() : null;
                if (type == "project")
                {
                    var referenced = library.Value.TryGetProperty("msbuildProject", out var m) ? m.GetString() : path;
                    if (referenced is not null)
                        references.Add(Path.GetFullPath(Path.Combine(projectDirectory, referenced.Replace('\\', '/'))));
                    continue;
                }
                if (type != "package")
                    continue;
                var slash = library.Name.IndexOf('/');
                var (id, version) = slash < 0 ? (library.Name, "") : (library.Name[..slash], library.Name[(slash + 1)..]);
                var directory = path is null ? null
                    : folders.Select(f => Path.Combine(f, path.Replace('\\', '/'))).FirstOrDefault(System.IO.Directory.Exists);
                packages.Add(new PackageUse(id, version, directory is null ? null : Path.GetFullPath(directory),
                    msbuildFiles.TryGetValue(library.Name, out var files) ? [.. files] : []));
            }
        }
        return new ProjectAssets(Path.GetFullPath(project), Path.GetFullPath(assetsFile), packages, references);
    }
}
