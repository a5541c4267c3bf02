using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nono.Build.Tool;

/// <summary>
/// <c>dotnet nono inventory [PROJECT|SOLUTION|FOLDER] [--json] [--no-restore] [-c CFG …]</c>: every
/// piece of third-party code the build runs, per package (<see cref="PackageCode"/>), as a table or
/// as JSON. Restores first in the whole build's restore sandbox (no package code runs there), then
/// reads each project's assets file and the packages' folders statically: nothing of a package is
/// evaluated, loaded or run.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class Inventory
{
    private const string Usage = """
        Usage: dotnet nono inventory [PROJECT|SOLUTION|FOLDER] [--json] [--no-restore] [-c CFG] [-p:NAME=VALUE]
        Restores in the sandbox, then lists the third-party code the build runs, per package: Exec steps,
        tasks (inline-task, task; ToolTask marked), programs (tool), analyzers and generators, read from
        the assets files and the package folders without evaluating, loading or running any of it.
          --json        as JSON on stdout, every package included (restore's output goes to stderr)
          --no-restore  use what was restored; a project without obj/project.assets.json is NONO4005
        """;

    public static int Run(string[] args, bool printPolicy, bool unsandboxed)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }
        var json = args.Contains("--json");
        var noRestore = args.Contains("--no-restore");
        var rest = args.Where(a => a is not ("--json" or "--no-restore")).ToArray();
        var kept = WholeBuild.RestoreArguments(rest);
        if (rest.FirstOrDefault(a => a.StartsWith('-') && a is not ("-c" or "--configuration") && !kept.Contains(a)) is { } unknown)
        {
            Console.Error.WriteLine($"dotnet nono: error NONO4004: inventory does not take '{unknown}'. Run dotnet nono inventory --help.");
            return 1;
        }
        if (!noRestore)
        {
            // Restore's own output goes to stderr: stdout is the inventory's (JSON for a pipe).
            Console.Out.Flush();
            var stdout = Dup(1);
            if (stdout >= 0)
                Dup2(2, 1);
            int code;
            try
            {
                code = WholeBuild.RestoreOnly(rest, printPolicy, unsandboxed);
            }
            finally
            {
                if (stdout >= 0)
                {
                    Dup2(stdout, 1);
                    Close(stdout);
                }
            }
            if (code != 0)
                return code;
        }

        var target = WholeBuild.Target(rest);
        var repository = Repository.Find(target);
        var projects = new List<ProjectAssets>();
        var missing = new List<string>();
        var queue = new Queue<string>(Projects(target, repository));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var project = queue.Dequeue();
            if (!seen.Add(project))
                continue;
            if (ProjectAssets.Find(project, repository.Root) is not { } assetsFile)
            {
                missing.Add(project);
                continue;
            }
            ProjectAssets assets;
            try
            {
                assets = ProjectAssets.Read(project, assetsFile);
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Console.Error.WriteLine($"dotnet nono: error NONO4005: {assetsFile} cannot be read ({(e is JsonException ? "not valid JSON" : e.Message)}). Restore {project} again: run dotnet nono inventory without --no-restore.");
                return 1;
            }
            projects.Add(assets);
            foreach (var reference in assets.ProjectReferences)
                queue.Enqueue(reference);
        }
        if (missing.Count > 0 || projects.Count == 0)
        {
            foreach (var project in missing)
                Console.Error.WriteLine($"dotnet nono: error NONO4005: {project} has no obj/{ProjectAssets.FileName}: it has not been restored, so the packages it uses are not known. Run dotnet nono inventory without --no-restore (or restore it first).");
            if (missing.Count == 0)
                Console.Error.WriteLine($"dotnet nono: error NONO4005: no project found to take the inventory of in {Path.GetFullPath(target ?? ".")}. Name a project, a solution or a folder holding one.");
            return 1;
        }

        var packages = Packages(projects);
        if (json)
            WriteJson(Console.OpenStandardOutput(), projects, packages);
        else
            Console.Out.Write(Table(packages));
        return 0;
    }

    /// <summary>A package the build uses, the projects that use it and its code.</summary>
    internal sealed record Package(string Id, string Version, string? Directory, IReadOnlyList<string> Projects, IReadOnlyList<CodePiece> Code);

    /// <summary>Every package of the projects, once per id and version, with its code.</summary>
    internal static List<Package> Packages(IReadOnlyList<ProjectAssets> projects)
    {
        var uses = projects
            .SelectMany(p => p.Packages.Select(package => (Project: p, Package: package)))
            .GroupBy(u => (Id: u.Package.Id.ToLowerInvariant(), u.Package.Version))
            .OrderBy(g => g.Key.Id, StringComparer.Ordinal).ThenBy(g => g.Key.Version, StringComparer.Ordinal);
        var packages = new List<Package>();
        foreach (var use in uses)
        {
            var first = use.First().Package;
            var directory = use.Select(u => u.Package.Directory).FirstOrDefault(d => d is not null);
            // A package used by a project of unknown language: every language folder counts.
            IReadOnlySet<string>? languages = use.Any(u => u.Project.Language is null) ? null
                : use.Select(u => u.Project.Language!).ToHashSet(StringComparer.Ordinal);
            var msbuildFiles = use.SelectMany(u => u.Package.MSBuildFiles).Distinct(StringComparer.Ordinal).ToList();
            var code = directory is null ? [] : PackageCode.Read(directory, first.Id, msbuildFiles, languages);
            packages.Add(new Package(first.Id, first.Version, directory, use.Select(u => u.Project.Project).Distinct(StringComparer.Ordinal).ToList(), code));
        }
        return packages;
    }

    /// <summary>
    /// The projects a target names, as dotnet takes it: a project file; a solution's (.sln, .slnx,
    /// .slnf) projects; a folder's project or solution; else every project under the folder.
    /// Their project references are followed from their assets files.
    /// </summary>
    internal static IEnumerable<string> Projects(string? target, Repository repository)
    {
        var path = Path.GetFullPath(target ?? Directory.GetCurrentDirectory());
        if (File.Exists(path))
            return IsSolution(path) ? SolutionProjects(path) : [path];
        var projects = Directory.EnumerateFiles(path).Where(IsProject).Order(StringComparer.Ordinal).ToList();
        if (projects.Count > 0)
            return projects;
        var solution = Directory.EnumerateFiles(path).Where(IsSolution).Order(StringComparer.Ordinal).FirstOrDefault();
        if (solution is not null)
            return SolutionProjects(solution);
        return repository.ProjectDirectories
            .Where(d => d == path || d.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal))
            .SelectMany(d => Directory.EnumerateFiles(d).Where(IsProject)).Order(StringComparer.Ordinal);
    }

    private static bool IsProject(string file) => Path.GetExtension(file).ToLowerInvariant() is ".csproj" or ".fsproj" or ".vbproj" or ".proj";

    private static bool IsSolution(string file) => Path.GetExtension(file).ToLowerInvariant() is ".sln" or ".slnx" or ".slnf";

    /// <summary>The project files a solution lists, as full paths.</summary>
    internal static IEnumerable<string> SolutionProjects(string solution)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(solution))!;
        IEnumerable<string> listed;
        switch (Path.GetExtension(solution).ToLowerInvariant())
        {
            case ".slnx":
                listed = System.Xml.Linq.XDocument.Load(solution).Descendants()
                    .Where(e => e.Name.LocalName == "Project").Select(e => (string?)e.Attribute("Path")).OfType<string>();
                break;
            case ".slnf":
                using (var filter = JsonDocument.Parse(File.ReadAllText(solution)))
                {
                    var inner = filter.RootElement.GetProperty("solution");
                    directory = Path.GetDirectoryName(Path.GetFullPath(Path.Combine(directory, inner.GetProperty("path").GetString()!.Replace('\\', '/'))))!;
                    listed = inner.GetProperty("projects").EnumerateArray().Select(p => p.GetString()).OfType<string>().ToList();
                }
                break;
            default:
                listed = SolutionProjectLine().Matches(File.ReadAllText(solution)).Select(m => m.Groups[1].Value);
                break;
        }
        return listed.Select(p => Path.GetFullPath(Path.Combine(directory, p.Replace('\\', '/')))).Where(IsProject).ToList();
    }

    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\)\s*=\s*""[^""]*""\s*,\s*""([^""]+)""", RegexOptions.Multiline)]
    private static partial Regex SolutionProjectLine();

    /// <summary>
    /// The inventory as a table: per package with code, one line per piece (kind, name, where,
    /// what); the packages without any are counted at the end (--json lists them).
    /// </summary>
    internal static string Table(IReadOnlyList<Package> packages)
    {
        var text = new StringBuilder();
        var withCode = packages.Where(p => p.Code.Count > 0).ToList();
        foreach (var package in withCode)
        {
            var nameWidth = package.Code.Max(c => c.Name.Length);
            text.Append(package.Id).Append(' ').Append(package.Version).Append("  (")
                .AppendJoin(", ", package.Projects.Select(Path.GetFileNameWithoutExtension)).Append(")\n");
            foreach (var piece in package.Code)
            {
                var where = piece.Line is { } line ? $"{piece.File}:{line}" : piece.File;
                text.Append("  ").Append(piece.Kind.PadRight(12)).Append(piece.Name.PadRight(nameWidth)).Append("  ").Append(where);
                if (Detail(piece) is { Length: > 0 } detail)
                    text.Append("  ").Append(detail);
                text.Append('\n');
            }
        }
        var without = packages.Count - withCode.Count;
        if (withCode.Count == 0)
            text.Append($"No package brings code that runs in the build ({packages.Count} package{(packages.Count == 1 ? "" : "s")}).\n");
        else if (without > 0)
            text.Append($"{without} more package{(without == 1 ? "" : "s")} with no code that runs in the build (--json lists them).\n");
        var unavailable = packages.Where(p => p.Directory is null).ToList();
        foreach (var package in unavailable)
            text.Append($"warning: {package.Id} {package.Version} is in none of the assets file's package folders: its code is not known.\n");
        return text.ToString();
    }

    private static string Detail(CodePiece piece)
    {
        var parts = new List<string>();
        if (piece.Command is not null)
            parts.Add("$ " + piece.Command);
        if (piece.Factory is not null)
            parts.Add("factory " + piece.Factory);
        if (piece.Assembly is not null)
            parts.Add("in " + piece.Assembly);
        if (piece.ToolTask == true)
            parts.Add("ToolTask: starts a program");
        if (piece.Analyzers is { } analyzers && piece.Generators is { } generators)
            parts.Add($"{analyzers} analyzer{(analyzers == 1 ? "" : "s")}, {generators} generator{(generators == 1 ? "" : "s")}");
        else if (piece.Kind is PackageCode.Analyzer or PackageCode.Generator)
            parts.Add("not a readable .NET assembly");
        return string.Join(", ", parts);
    }

    /// <summary>The inventory as JSON (Utf8JsonWriter: no reflection).</summary>
    internal static void WriteJson(Stream output, IReadOnlyList<ProjectAssets> projects, IReadOnlyList<Package> packages)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("projects");
        foreach (var project in projects)
        {
            writer.WriteStartObject();
            writer.WriteString("project", project.Project);
            writer.WriteString("assetsFile", project.AssetsFile);
            writer.WriteStartArray("packages");
            foreach (var package in project.Packages)
                writer.WriteStringValue($"{package.Id}/{package.Version}");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("packages");
        foreach (var package in packages)
        {
            writer.WriteStartObject();
            writer.WriteString("id", package.Id);
            writer.WriteString("version", package.Version);
            if (package.Directory is null)
                writer.WriteNull("folder");
            else
                writer.WriteString("folder", package.Directory);
            writer.WriteStartArray("projects");
            foreach (var project in package.Projects)
                writer.WriteStringValue(project);
            writer.WriteEndArray();
            writer.WriteStartArray("code");
            foreach (var piece in package.Code)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", piece.Kind);
                writer.WriteString("name", piece.Name);
                writer.WriteString("file", piece.File);
                if (piece.Line is { } line)
                    writer.WriteNumber("line", line);
                if (piece.Command is not null)
                    writer.WriteString("command", piece.Command);
                if (piece.Factory is not null)
                    writer.WriteString("factory", piece.Factory);
                if (piece.Assembly is not null)
                    writer.WriteString("assembly", piece.Assembly);
                if (piece.ToolTask is { } toolTask)
                    writer.WriteBoolean("toolTask", toolTask);
                if (piece.Analyzers is { } analyzers)
                    writer.WriteNumber("analyzers", analyzers);
                if (piece.Generators is { } generators)
                    writer.WriteNumber("generators", generators);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        output.WriteByte((byte)'\n');
        output.Flush();
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
