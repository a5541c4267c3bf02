using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace Nono.Build.Tool;

/// <summary>One piece of a package's code that runs in the build (see <see cref="PackageCode"/>).</summary>
/// <param name="Kind">One of <see cref="PackageCode"/>'s kinds: exec, inline-task, task, tool, analyzer, generator.</param>
/// <param name="Name">exec: the target; tasks: the task name; tool, analyzer, generator: the file name.</param>
/// <param name="File">Where it is, relative to the package folder: the MSBuild file (exec, tasks) or the file itself.</param>
internal sealed record CodePiece(string Kind, string Name, string File)
{
    /// <summary>exec and tasks: the line in <see cref="File"/>.</summary>
    public int? Line { get; init; }

    /// <summary>exec: the command, on one line, shortened.</summary>
    public string? Command { get; init; }

    /// <summary>inline-task: the TaskFactory.</summary>
    public string? Factory { get; init; }

    /// <summary>task: the task assembly, relative to the package folder, or as written when it is not in the package.</summary>
    public string? Assembly { get; init; }

    /// <summary>Tasks: whether the task derives from ToolTask (starts a program of its own, without Exec); null: not known.</summary>
    public bool? ToolTask { get; init; }

    /// <summary>analyzer, generator: how many types carry [DiagnosticAnalyzer] and [Generator].</summary>
    public int? Analyzers { get; init; }

    public int? Generators { get; init; }
}

/// <summary>
/// The code of one NuGet package that runs in a build, read statically from the package folder
/// (nothing is evaluated, loaded or run):
/// <list type="bullet">
/// <item>the MSBuild files NuGet imports (build/, buildTransitive/, buildMultiTargeting/
/// <c>&lt;id&gt;.props|targets</c>, or those the assets file names) and, best-effort, the package's
/// own files they <c>&lt;Import&gt;</c>, with <c>$(MSBuildThisFileDirectory)</c> and the properties
/// those files define expanded;</item>
/// <item><c>exec</c>: each <c>&lt;Exec&gt;</c> in a target;</item>
/// <item><c>inline-task</c>: each <c>&lt;UsingTask&gt;</c> with a TaskFactory or a <c>&lt;Task&gt;</c> body;</item>
/// <item><c>task</c>: each other <c>&lt;UsingTask&gt;</c>: its assembly, and whether the task derives from ToolTask;</item>
/// <item><c>tool</c>: the programs the package ships under tools/, runtimes/, build*/ and tasks/:
/// <c>.exe</c>, <c>.sh</c>, and files whose first bytes are ELF, Mach-O or <c>#!</c> (not shared
/// libraries). Exec bits say nothing: NuGet sets them on every file it extracts;</item>
/// <item><c>analyzer</c>, <c>generator</c>: each assembly under analyzers/ (satellite resources
/// aside) the compiler loads, with its count of <c>[DiagnosticAnalyzer]</c> and <c>[Generator]</c>
/// types; <c>generator</c> when it has a generator. Of <c>roslynX.Y</c> folders only the highest
/// one per language counts (as the SDK picks for a current compiler); language folders (cs, vb,
/// fs) of other languages than the projects' are left out.</item>
/// </list>
/// </summary>
internal static partial class PackageCode
{
    public const string Exec = "exec";
    public const string InlineTask = "inline-task";
    public const string Task = "task";
    public const string Tool = "tool";
    public const string Analyzer = "analyzer";
    public const string Generator = "generator";

    private const int MaxCommandLength = 120;

    private static readonly string[] BuildFolders = ["build", "buildTransitive", "buildMultiTargeting"];

    private static readonly string[] ToolFolders = ["tools", "runtimes", "build", "buildTransitive", "buildMultiTargeting", "tasks"];

    private static readonly HashSet<string> Languages = new(StringComparer.OrdinalIgnoreCase) { "cs", "vb", "fs" };

    /// <summary>
    /// The code of the package <paramref name="id"/> in <paramref name="packageDirectory"/>.
    /// <paramref name="msbuildFiles"/>: the MSBuild files NuGet imports, relative to the package
    /// (from the assets file); null: the conventional build*/&lt;id&gt;.props|targets.
    /// <paramref name="languages"/>: the projects' languages (cs, vb, fs); null: all.
    /// </summary>
    public static IReadOnlyList<CodePiece> Read(string packageDirectory, string id, IEnumerable<string>? msbuildFiles = null, IReadOnlySet<string>? languages = null)
    {
        var root = Path.GetFullPath(packageDirectory).TrimEnd('/');
        var pieces = new List<CodePiece>();
        pieces.AddRange(MSBuildCode(root, msbuildFiles?.ToList() ?? ConventionalMSBuildFiles(root, id)));
        pieces.AddRange(Tools(root));
        pieces.AddRange(CompilerExtensions(root, languages));
        return pieces;
    }

    /// <summary>build/, buildTransitive/, buildMultiTargeting/ &lt;id&gt;.props|targets, also in a framework folder beneath.</summary>
    private static List<string> ConventionalMSBuildFiles(string root, string id)
    {
        var files = new List<string>();
        foreach (var folder in BuildFolders)
        {
            var directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory))
                continue;
            foreach (var file in Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1, MatchCasing = MatchCasing.CaseInsensitive }))
            {
                var name = Path.GetFileName(file);
                if (name.Equals(id + ".props", StringComparison.OrdinalIgnoreCase) || name.Equals(id + ".targets", StringComparison.OrdinalIgnoreCase))
                    files.Add(Path.GetRelativePath(root, file));
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>One definition of a property in the package's MSBuild files; a higher preference wins among several (the .NET SDK's MSBuild is 'Core').</summary>
    private sealed record Definition(string Value, int Preference);

    private static IEnumerable<CodePiece> MSBuildCode(string root, IReadOnlyList<string> entries)
    {
        var properties = new Dictionary<string, List<Definition>>(StringComparer.OrdinalIgnoreCase);
        var documents = new List<(string Path, XDocument Document)>();
        var queue = new Queue<string>(entries.Select(e => Path.GetFullPath(Path.Combine(root, e.Replace('\\', '/')))));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var file = queue.Dequeue();
            if (!seen.Add(file) || !Inside(root, file) || !File.Exists(file) || Load(file) is not { } document)
                continue;
            documents.Add((file, document));
            var directory = Path.GetDirectoryName(file)! + "/";
            foreach (var element in document.Descendants().Where(e => e.Parent?.Name.LocalName == "PropertyGroup" && !e.HasElements))
            {
                var value = ThisFile(element.Value.Trim(), file);
                if (value.Contains("$(" + element.Name.LocalName + ")", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (!properties.TryGetValue(element.Name.LocalName, out var definitions))
                    properties[element.Name.LocalName] = definitions = [];
                definitions.Add(new Definition(value, Preference(element)));
            }
            foreach (var import in document.Descendants().Where(e => e.Name.LocalName == "Import"))
            {
                foreach (var path in PathsInPackage(root, (string?)import.Attribute("Project"), file, properties))
                    queue.Enqueue(path);
            }
        }

        foreach (var (file, document) in documents)
        {
            var relative = Path.GetRelativePath(root, file);
            foreach (var element in document.Descendants())
            {
                var line = ((IXmlLineInfo)element).LineNumber;
                switch (element.Name.LocalName)
                {
                    case "Exec" when element.Ancestors().FirstOrDefault(a => a.Name.LocalName == "Target") is { } target:
                        yield return new CodePiece(Exec, (string?)target.Attribute("Name") ?? "", relative)
                        {
                            Line = line,
                            Command = OneLine((string?)element.Attribute("Command") ?? ""),
                        };
                        break;
                    case "UsingTask":
                        yield return UsingTask(root, file, relative, line, element, properties);
                        break;
                }
            }
        }
    }

    private static CodePiece UsingTask(string root, string file, string relative, int line, XElement element, Dictionary<string, List<Definition>> properties)
    {
        var name = (string?)element.Attribute("TaskName") ?? "";
        var factory = (string?)element.Attribute("TaskFactory");
        var body = element.Elements().FirstOrDefault(e => e.Name.LocalName == "Task");
        if (!string.IsNullOrWhiteSpace(factory) || body is not null)
        {
            return new CodePiece(InlineTask, name, relative)
            {
                Line = line,
                Factory = string.IsNullOrWhiteSpace(factory) ? null : factory,
                // A class body that derives from ToolTask starts a program of its own.
                ToolTask = body is not null && InlineToolTask().IsMatch(body.Value),
            };
        }
        var assemblyFile = (string?)element.Attribute("AssemblyFile");
        if (!string.IsNullOrWhiteSpace(assemblyFile))
        {
            var assembly = PathsInPackage(root, assemblyFile, file, properties).FirstOrDefault(File.Exists);
            if (assembly is null)
                return new CodePiece(Task, name, relative) { Line = line, Assembly = assemblyFile };
            var kind = PackageAssembly.Task(assembly, name);
            return new CodePiece(Task, name, relative)
            {
                Line = line,
                Assembly = Path.GetRelativePath(root, assembly),
                ToolTask = kind == PackageAssembly.TaskKind.NotFound ? null : kind == PackageAssembly.TaskKind.ToolTask,
            };
        }
        return new CodePiece(Task, name, relative) { Line = line, Assembly = (string?)element.Attribute("AssemblyName") };
    }

    /// <summary>
    /// The files inside the package that <paramref name="raw"/> (an Import's Project, a
    /// UsingTask's AssemblyFile) may name, relative to <paramref name="file"/>'s folder as MSBuild
    /// takes them, best first; none when it needs a property the package does not define.
    /// </summary>
    private static IEnumerable<string> PathsInPackage(string root, string? raw, string file, Dictionary<string, List<Definition>> properties)
    {
        if (string.IsNullOrWhiteSpace(raw))
            yield break;
        var directory = Path.GetDirectoryName(file)!;
        foreach (var value in Expand(ThisFile(raw.Trim(), file), properties, depth: 0).Distinct(StringComparer.Ordinal).Take(16))
        {
            if (value.Length == 0 || value.Contains('*') || value.Contains('?') || value.Contains(';') || value.Contains("$(", StringComparison.Ordinal))
                continue;
            string full;
            try
            {
                full = Path.GetFullPath(Path.Combine(directory, value.Replace('\\', '/')));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                continue;
            }
            if (Inside(root, full) && File.Exists(full))
                yield return full;
        }
    }

    /// <summary>Every value <paramref name="raw"/> may take with the package's properties, best definitions first.</summary>
    private static IEnumerable<string> Expand(string raw, Dictionary<string, List<Definition>> properties, int depth)
    {
        var match = PropertyReference().Match(raw);
        if (!match.Success || depth > 8)
        {
            yield return raw;
            yield break;
        }
        if (!properties.TryGetValue(match.Groups[1].Value, out var definitions))
            yield break;
        foreach (var definition in definitions.OrderByDescending(d => d.Preference).Take(4))
        {
            var replaced = raw[..match.Index] + definition.Value + raw[(match.Index + match.Length)..];
            foreach (var value in Expand(replaced, properties, depth + 1))
                yield return value;
        }
    }

    /// <summary>The value with $(MSBuildThisFile…) of the file it is written in expanded, as MSBuild does where it is defined.</summary>
    private static string ThisFile(string value, string file) => value
        .Replace("$(MSBuildThisFileDirectory)", Path.GetDirectoryName(file) + "/", StringComparison.OrdinalIgnoreCase)
        .Replace("$(MSBuildThisFileFullPath)", file, StringComparison.OrdinalIgnoreCase)
        .Replace("$(MSBuildThisFileName)", Path.GetFileNameWithoutExtension(file), StringComparison.OrdinalIgnoreCase)
        .Replace("$(MSBuildThisFile)", Path.GetFileName(file), StringComparison.OrdinalIgnoreCase);

    /// <summary>A definition for .NET (Core) MSBuild is preferred to one for .NET Framework MSBuild.</summary>
    private static int Preference(XElement element)
    {
        var condition = ((string?)element.Attribute("Condition") ?? "") + " " + ((string?)element.Parent?.Attribute("Condition") ?? "");
        var match = RuntimeTypeCondition().Match(condition);
        return !match.Success ? 0 : match.Groups[1].Value == "==" ? 1 : -1;
    }

    /// <summary>The programs the package ships (see the class's remarks).</summary>
    private static IEnumerable<CodePiece> Tools(string root)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var folder in ToolFolders)
        {
            var directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory))
                continue;
            foreach (var file in Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 8, AttributesToSkip = 0 }))
            {
                if (IsProgram(file))
                    found.Add(Path.GetRelativePath(root, file));
            }
        }
        return found.Select(f => new CodePiece(Tool, Path.GetFileName(f), f));
    }

    private static bool IsProgram(string file)
    {
        var name = Path.GetFileName(file);
        var extension = Path.GetExtension(name).ToLowerInvariant();
        if (extension is ".exe" or ".sh")
            return true;
        // Shared libraries (lib*.so.1 too) and managed assemblies are loaded, not run.
        if (extension is ".dll" or ".so" or ".dylib" or ".a" or ".pdb" or ".xml" or ".json" or ".txt" or ".md" or ".props" or ".targets"
            || name.Contains(".so.", StringComparison.Ordinal) || new FileInfo(file).LinkTarget is not null)
            return false;
        Span<byte> head = stackalloc byte[4];
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
                return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        var magic = (uint)(head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3]);
        return magic is 0x7F454C46 /* ELF */ or 0xFEEDFACE or 0xFEEDFACF or 0xCEFAEDFE or 0xCFFAEDFE /* Mach-O */ or 0xCAFEBABE /* Mach-O universal */
            || (head[0] == '#' && head[1] == '!');
    }

    /// <summary>The assemblies under analyzers/ the compiler loads (see the class's remarks).</summary>
    private static IEnumerable<CodePiece> CompilerExtensions(string root, IReadOnlySet<string>? languages)
    {
        var directory = Path.Combine(root, "analyzers");
        if (!Directory.Exists(directory))
            yield break;
        var assemblies = new List<(string Relative, string Language, Version? Roslyn)>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.dll", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 8, MatchCasing = MatchCasing.CaseInsensitive }))
        {
            if (file.EndsWith(".resources.dll", StringComparison.OrdinalIgnoreCase))
                continue;
            var relative = Path.GetRelativePath(root, file);
            var segments = relative.Split('/');
            var language = segments.FirstOrDefault(Languages.Contains)?.ToLowerInvariant() ?? "";
            if (language.Length > 0 && languages is not null && !languages.Contains(language))
                continue;
            var roslyn = segments.Select(s => RoslynFolder().Match(s)).FirstOrDefault(m => m.Success);
            assemblies.Add((relative, language, roslyn is null ? null : Version.Parse(roslyn.Groups[1].Value)));
        }
        var newest = assemblies.Where(a => a.Roslyn is not null).GroupBy(a => a.Language).ToDictionary(g => g.Key, g => g.Max(a => a.Roslyn)!);
        foreach (var (relative, language, roslyn) in assemblies.OrderBy(a => a.Relative, StringComparer.Ordinal))
        {
            if (roslyn is not null && roslyn != newest[language])
                continue;
            var counts = PackageAssembly.CompilerExtensions(Path.Combine(root, relative));
            yield return new CodePiece(counts is { Generators: > 0 } ? Generator : Analyzer, Path.GetFileName(relative), relative)
            {
                Analyzers = counts?.Analyzers,
                Generators = counts?.Generators,
            };
        }
    }

    private static bool Inside(string root, string path) => path.StartsWith(root + "/", StringComparison.Ordinal);

    private static XDocument? Load(string file)
    {
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(file, settings);
            return XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A command on one line, whitespace collapsed, at most <see cref="MaxCommandLength"/> characters.</summary>
    internal static string OneLine(string command)
    {
        var line = Whitespace().Replace(command, " ").Trim();
        return line.Length <= MaxCommandLength ? line : line[..(MaxCommandLength - 1)] + "…";
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex PropertyReference();

    [GeneratedRegex(@"'\$\(MSBuildRuntimeType\)'\s*(==|!=)\s*'Core'", RegexOptions.IgnoreCase)]
    private static partial Regex RuntimeTypeCondition();

    [GeneratedRegex(@"^roslyn(\d+\.\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex RoslynFolder();

    [GeneratedRegex(@":\s*(Microsoft\.Build\.Utilities\.)?ToolTask\b")]
    private static partial Regex InlineToolTask();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
