using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Nono.Build.Tool;

/// <summary>
/// What the whole-build policy is computed from: the repository's own files, read as text before
/// any of the build runs. Nothing here evaluates MSBuild (an evaluation imports packages' props,
/// whose property functions are package code): the projects are found by their files, and the
/// <c>Sandbox*</c> items are read from the repository's project and Directory.Build files as
/// written, with only <c>$(MSBuildThisFileDirectory)</c>, <c>$(MSBuildProjectDirectory)</c> and
/// environment variables expanded.
/// </summary>
internal sealed partial class Repository
{
    /// <summary>Folders never searched for projects: outputs, dependencies, version control.</summary>
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        ".git", ".hg", ".svn", ".vs", ".idea", "node_modules", "bin", "obj", "artifacts", "TestResults", "packages",
    };

    /// <summary>
    /// Whether dotnet nono reads no build file in <paramref name="folder"/> (a full path): outside
    /// the repository, or under a folder it skips (bin, obj, artifacts, TestResults, …). What the
    /// build writes elsewhere in the repository would be read as the next build's policy.
    /// </summary>
    public bool ReadsNoBuildFileIn(string folder)
    {
        if (folder != Root && !folder.StartsWith(Root + "/", StringComparison.Ordinal))
            return !Root.StartsWith(folder + "/", StringComparison.Ordinal);
        return folder[Root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries).Any(SkippedFolders.Contains);
    }

    /// <summary>Files MSBuild, NuGet and the SDK look for in every folder above a project.</summary>
    private static readonly HashSet<string> UpwardFiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "Directory.Solution.props",
        "Directory.Solution.targets", "nuget.config", "global.json",
    };

    private Repository(string root, IReadOnlyList<string> projectDirectories, IReadOnlyList<string> buildFiles, IReadOnlyList<string> ancestorFiles)
    {
        Root = root;
        ProjectDirectories = projectDirectories;
        BuildFiles = buildFiles;
        AncestorFiles = ancestorFiles;
    }

    /// <summary>The files above <see cref="Root"/> the build reads by their names (Directory.Build.props, nuget.config, global.json, …): read-only.</summary>
    public IReadOnlyList<string> AncestorFiles { get; }

    /// <summary>The repository's root: the nearest folder above the build's target holding .git (not one inside an outer repository's bin/, obj/, artifacts/, …), else the target's folder.</summary>
    public string Root { get; }

    /// <summary>Every folder under <see cref="Root"/> that holds a project file (*.csproj, *.fsproj, *.vbproj, *.proj).</summary>
    public IReadOnlyList<string> ProjectDirectories { get; }

    /// <summary>The project files and Directory.Build.props/targets the Sandbox* items are read from.</summary>
    public IReadOnlyList<string> BuildFiles { get; }

    /// <summary>The repository of the build whose target (a project, solution or folder; null: the current folder) is given.</summary>
    public static Repository Find(string? target)
    {
        var start = Path.GetFullPath(target ?? Directory.GetCurrentDirectory());
        if (File.Exists(start))
            start = Path.GetDirectoryName(start)!;
        // The nearest folder with .git, unless it lies in an outer repository's bin/, obj/,
        // artifacts/, … (where an earlier build could have planted it, and its build files as the
        // next build's policy): then the outer one.
        string? root = null;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if ((Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
                && (root is null || root[dir.FullName.TrimEnd('/').Length..].Split('/', StringSplitOptions.RemoveEmptyEntries).Any(SkippedFolders.Contains)))
                root = dir.FullName;
        }
        root ??= start;
        var projects = new List<string>();
        var buildFiles = new List<string>();
        Walk(root, projects, buildFiles, depth: 0);
        // MSBuild, NuGet and the SDK search upward: Directory.Build.* above the root are imported
        // too (and their Sandbox* items count), nuget.config and global.json read.
        var ancestors = new List<string>();
        for (var dir = Directory.GetParent(root); dir is not null; dir = dir.Parent)
        {
            IEnumerable<string> files;
            try
            {
                files = Directory.EnumerateFiles(dir.FullName).Where(f => UpwardFiles.Contains(Path.GetFileName(f))).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var file in files)
            {
                ancestors.Add(file);
                if (Path.GetFileName(file).StartsWith("Directory.Build.", StringComparison.Ordinal))
                    buildFiles.Add(file);
            }
        }
        return new Repository(root, projects, buildFiles, ancestors);
    }

    private static void Walk(string directory, List<string> projects, List<string> buildFiles, int depth)
    {
        if (depth > 12)
            return;
        IEnumerable<string> files, folders;
        try
        {
            files = Directory.EnumerateFiles(directory).ToList();
            folders = Directory.EnumerateDirectories(directory).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        var isProject = false;
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase)
                || name.EndsWith(".vbproj", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".proj", StringComparison.OrdinalIgnoreCase))
            {
                isProject = true;
                buildFiles.Add(file);
            }
            else if (name is "Directory.Build.props" or "Directory.Build.targets")
            {
                buildFiles.Add(file);
            }
        }
        if (isProject)
            projects.Add(directory);
        foreach (var folder in folders)
        {
            var name = Path.GetFileName(folder);
            if (SkippedFolders.Contains(name) || (name.StartsWith('.') && name != ".config") || new DirectoryInfo(folder).LinkTarget is not null)
                continue;
            Walk(folder, projects, buildFiles, depth + 1);
        }
    }

    /// <summary>Whether a build file turns on the SDK's artifacts/ layout (UseArtifactsOutput).</summary>
    public bool UsesArtifactsOutput() => BuildFiles.Any(f =>
    {
        try
        {
            return File.ReadAllText(f).Contains("UseArtifactsOutput", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    });

    /// <summary>One Sandbox* item as the repository wrote it, expanded.</summary>
    public sealed record Item(string Type, string Value, bool Execute, bool File, string Source);

    /// <summary>
    /// The repository's <c>SandboxRead</c>, <c>SandboxWrite</c>, <c>SandboxNetwork</c> and
    /// <c>SandboxEnvironment</c> items, from every build file; conditions are not evaluated (an
    /// item is taken whatever its condition). A relative path or <c>$(MSBuildProjectDirectory)</c>
    /// means, as MSBuild evaluates it, the folder of the project that reads the item: a project
    /// file's own, and for a Directory.Build.props or .targets every project that imports it. An
    /// item that uses another property is reported to <paramref name="warn"/> (NONO4001) and left out.
    /// </summary>
    public IReadOnlyList<Item> SandboxItems(Action<string> warn)
    {
        var items = new List<Item>();
        var documents = new Dictionary<string, XDocument>(StringComparer.Ordinal);
        foreach (var (file, document) in Documents())
            documents.TryAdd(file, document);
        foreach (var (file, document) in documents)
        {
            var folder = Path.GetDirectoryName(file)!;
            IReadOnlyList<string> projects = !Path.GetFileName(file).StartsWith("Directory.Build.", StringComparison.Ordinal)
                ? [folder]
                : ProjectDirectories.Where(p => Imports(p, file, documents)).ToList();
            foreach (var element in document.Descendants())
            {
                var type = element.Name.LocalName;
                if (type is not ("SandboxRead" or "SandboxWrite" or "SandboxNetwork" or "SandboxEnvironment"))
                    continue;
                if (element.Parent?.Name.LocalName != "ItemGroup")
                    continue;
                var include = (string?)element.Attribute("Include");
                if (string.IsNullOrWhiteSpace(include))
                    continue;
                var line = ((System.Xml.IXmlLineInfo)element).LineNumber;
                var source = $"{file}({line})";
                foreach (var raw in include.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var isPath = type is "SandboxRead" or "SandboxWrite";
                    var values = new List<string?> { Expand(raw, file, projectDirectory: null) };
                    if (isPath && (values[0] is { } v ? !Path.IsPathRooted(v) : UsesProjectDirectory(raw)))
                        values = projects.Select(p => Expand(raw, file, p) is { } e ? Path.GetFullPath(e, p) : null).ToList();
                    if (values.Contains(null))
                    {
                        warn($"{source}: warning NONO4001: <{type} Include=\"{raw}\" /> uses a property that dotnet nono cannot know without evaluating the project (which would run package code); it is left out of the whole-build policy. Write the path literally, or with $(MSBuildThisFileDirectory), $(MSBuildProjectDirectory) or an environment variable.");
                        continue;
                    }
                    foreach (var value in values.Distinct(StringComparer.Ordinal))
                        items.Add(new Item(type, value!, Metadata(element, "Execute"), Metadata(element, "File"), source));
                }
            }
        }
        return items;
    }

    /// <summary>
    /// The values the repository's build files give property <paramref name="name"/> (a
    /// <c>&lt;name&gt;</c> in a PropertyGroup), as written and trimmed, with where: read like the
    /// items, statically. Conditions are not evaluated; <c>Conditional</c> says whether the
    /// property, its group or a Choose around it has one.
    /// </summary>
    public IReadOnlyList<(string Value, string Source, bool Conditional)> PropertyValues(string name)
    {
        var values = new List<(string, string, bool)>();
        foreach (var (file, document) in Documents())
        {
            foreach (var element in document.Descendants())
            {
                if (element.Name.LocalName == name && element.Parent?.Name.LocalName == "PropertyGroup")
                    values.Add((element.Value.Trim(), $"{file}({((System.Xml.IXmlLineInfo)element).LineNumber})",
                        element.AncestorsAndSelf().Any(e => e.Attribute("Condition") is not null || e.Name.LocalName is "When" or "Otherwise")));
            }
        }
        return values;
    }

    /// <summary>The build files that parse as XML, as written (an unreadable one is left out).</summary>
    private IEnumerable<(string File, XDocument Document)> Documents()
    {
        foreach (var file in BuildFiles)
        {
            XDocument document;
            try
            {
                document = XDocument.Load(file, LoadOptions.SetLineInfo);
            }
            catch (Exception e) when (e is IOException or System.Xml.XmlException or UnauthorizedAccessException)
            {
                continue;
            }
            yield return (file, document);
        }
    }

    private static bool Metadata(XElement element, string name) =>
        string.Equals((string?)element.Attribute(name) ?? element.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value, "true", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex PropertyReference();

    /// <summary>
    /// Whether the project in <paramref name="project"/> imports the Directory.Build file
    /// <paramref name="file"/>, as the .NET SDK finds it: the nearest file of that name above the
    /// project, or one above it that each nearer file imports in turn (an Import of
    /// GetPathOfFileAbove or GetDirectoryNameOfFileAbove, or of a path ending in that name).
    /// </summary>
    private static bool Imports(string project, string file, Dictionary<string, XDocument> documents)
    {
        var folder = Path.GetDirectoryName(file)!;
        if (project != folder && !project.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + "/", StringComparison.Ordinal))
            return false;
        for (var dir = project; dir != folder && dir.Length > folder.Length; dir = Path.GetDirectoryName(dir)!)
        {
            // A nearer file is a build file read already; one that did not parse imports nothing.
            var nearer = Path.Combine(dir, Path.GetFileName(file));
            if (documents.TryGetValue(nearer, out var document) ? !ImportsTheOneAbove(document, Path.GetFileName(file)) : File.Exists(nearer))
                return false;
        }
        return true;
    }

    private static bool ImportsTheOneAbove(XDocument document, string name) =>
        document.Descendants().Any(e => e.Name.LocalName == "Import" && (string?)e.Attribute("Project") is { } imported
            && (imported.Contains("FileAbove", StringComparison.Ordinal) || imported.Replace('\\', '/').EndsWith("/" + name, StringComparison.OrdinalIgnoreCase)));

    private static bool UsesProjectDirectory(string raw) => raw.Contains("$(MSBuildProjectDirectory)", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value with the properties dotnet nono knows expanded (<c>$(MSBuildProjectDirectory)</c> where <paramref name="projectDirectory"/> is given), or null if it uses another.</summary>
    internal static string? Expand(string raw, string file, string? projectDirectory)
    {
        if (raw.Contains("@(", StringComparison.Ordinal) || raw.Contains("%(", StringComparison.Ordinal) || raw.Contains("$([", StringComparison.Ordinal))
            return null;
        var directory = Path.GetDirectoryName(file)! + Path.DirectorySeparatorChar;
        var unknown = false;
        var value = PropertyReference().Replace(raw, m =>
        {
            var name = m.Groups[1].Value;
            if (name.Equals("MSBuildThisFileDirectory", StringComparison.OrdinalIgnoreCase))
                return directory;
            if (name.Equals("MSBuildProjectDirectory", StringComparison.OrdinalIgnoreCase))
            {
                unknown |= projectDirectory is null; // MSBuild's own, never the environment's
                return projectDirectory ?? "";
            }
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } env)
                return env;
            unknown = true;
            return "";
        });
        return unknown ? null : value;
    }

    /// <summary>
    /// The package sources of the NuGet.config files that apply (the target's folder and those
    /// above it, then the user's): HTTP feeds as (host, port), local feeds as folders, and the
    /// environment variables their URLs and credentials name (<c>%NAME%</c>, which NuGet expands).
    /// </summary>
    public static NuGetFeeds Feeds(string start, string? userConfig)
    {
        var remote = new List<(string, int)>();
        var local = new List<string>();
        var variables = new List<string>();
        var files = new List<string>();
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            foreach (var name in new[] { "nuget.config", "NuGet.config", "NuGet.Config" })
            {
                var file = Path.Combine(dir.FullName, name);
                if (File.Exists(file) && !files.Contains(file))
                    files.Add(file);
            }
        }
        if (userConfig is not null && File.Exists(userConfig))
            files.Add(userConfig);
        foreach (var file in files)
        {
            XDocument document;
            try
            {
                document = XDocument.Load(file);
            }
            catch (Exception e) when (e is IOException or System.Xml.XmlException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var add in document.Descendants("packageSourceCredentials").Descendants("add"))
                variables.AddRange(VariableReferences((string?)add.Attribute("value")));
            foreach (var add in document.Descendants("packageSources").Elements("add"))
            {
                var value = (string?)add.Attribute("value");
                if (string.IsNullOrWhiteSpace(value))
                    continue;
                // A feed whose URL carries its token (MyGet's /auth/%TOKEN%/, Cloudsmith's).
                variables.AddRange(VariableReferences(value));
                value = Environment.ExpandEnvironmentVariables(value);
                if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
                    remote.Add((uri.Host, uri.Port));
                else
                {
                    var path = Path.IsPathRooted(value) ? value : Path.Combine(Path.GetDirectoryName(file)!, value);
                    if (Directory.Exists(path))
                        local.Add(Path.GetFullPath(path));
                }
            }
        }
        return new NuGetFeeds(remote.Distinct().ToList(), local.Distinct().ToList(), variables.Distinct(StringComparer.Ordinal).ToList());
    }

    private static IEnumerable<string> VariableReferences(string? value) =>
        value is null ? [] : EnvironmentReference().Matches(value).Select(m => m.Groups[1].Value);

    [GeneratedRegex("%([A-Za-z_][A-Za-z0-9_]*)%")]
    private static partial Regex EnvironmentReference();
}

/// <summary>What the NuGet.config files that apply name: remote feeds, local feeds, and the variables their URLs and credentials use.</summary>
internal sealed record NuGetFeeds(IReadOnlyList<(string Host, int Port)> Remote, IReadOnlyList<string> Local, IReadOnlyList<string> Variables);
