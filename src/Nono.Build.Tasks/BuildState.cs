using System.IO.Enumeration;
using Nono.Native;

namespace Nono.Build.Tasks;

/// <summary>
/// MSBuild's own state in a step's writable output folders: the files MSBuild, the .NET SDK's
/// targets and this SDK read back, unsandboxed, as cache or configuration — the assets cache that
/// ResolvePackageAssets trusts (analyzers, copy-local items and their destinations), the
/// ResolveAssemblyReference, CoreCompileInputs and GenerateResource state, the generated
/// editorconfig, AssemblyInfo, FileListAbsolute.txt and the like. Landlock cannot protect one file
/// in a writable folder (rights on a folder apply to all beneath it), so each step is checked:
/// a snapshot of those files before (<see cref="Take"/>), compared after (<see cref="Changes"/>). A file a step created or
/// changed is deleted before anything reads it (MSBuild makes each again when it is missing) and
/// named in an error. The comparison uses the inode and the change time (ctime), which a process
/// cannot set: writing, renaming over, truncating or touching back the mtime all show.
/// </summary>
internal sealed class BuildState
{
    private readonly List<Folder> folders;
    private readonly Dictionary<string, FileStamp> files;

    private BuildState(List<string> folders)
    {
        // The folder first: an entry made while its files are read changes the folder's stamp.
        this.folders = folders.Select(f => new Folder(f, LibC.Stamp(f))).ToList();
        files = Stamps(folders);
    }

    private sealed record Folder(string Path, FileStamp? Stamp);

    /// <summary>How many state files there were.</summary>
    public int Count => files.Count;

    /// <summary>
    /// What MSBuild, the .NET SDK and this SDK keep as state at the top of an output folder, by
    /// the end of the file name (case-sensitive, as MSBuild's own paths on Linux are). Deeper
    /// folders (ref/, generated sources) are not read back as state.
    /// </summary>
    public static readonly string[] Suffixes =
    [
        ".cache",                 // <proj>.assets.cache, .AssemblyReference.cache, .CoreCompileInputs.cache, .GenerateResource.cache, .AssemblyInfoInputs.cache, .genruntimeconfig.cache, …
        ".editorconfig",          // <proj>.GeneratedMSBuildEditorConfig.editorconfig (analyzer configuration)
        "FileListAbsolute.txt",   // what IncrementalClean deletes
        ".CopyComplete",          // marks the copy-local references as copied
        ".Up2Date",
        ".BuildWithSkipAnalyzers",
        ".sourcelink.json",
    ];

    /// <summary>Generated sources MSBuild writes and compiles, by a part of the file name.</summary>
    public static readonly string[] Infixes =
    [
        ".AssemblyInfo.",         // <proj>.AssemblyInfo.cs|vb|fs
        ".AssemblyAttributes.",   // .NETCoreApp,Version=v8.0.AssemblyAttributes.cs
        ".GlobalUsings.g.",
        "staticwebassets",        // staticwebassets.build.json and friends: copy lists, like the assets cache
    ];

    public static bool IsState(ReadOnlySpan<char> fileName)
    {
        foreach (var suffix in Suffixes)
        {
            if (fileName.EndsWith(suffix, StringComparison.Ordinal))
                return true;
        }
        foreach (var infix in Infixes)
        {
            if (fileName.Contains(infix, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>The state files at the top of each folder, and what each is now.</summary>
    public static BuildState Take(IEnumerable<string> folders) =>
        new(folders.Select(f => Path.TrimEndingDirectorySeparator(f)).Distinct(StringComparer.Ordinal).ToList());

    private static Dictionary<string, FileStamp> Stamps(List<string> folders)
    {
        var files = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var path in StatePaths(folder))
            {
                if (LibC.Stamp(path) is { } stamp)
                    files[path] = stamp;
            }
        }
        return files;
    }

    /// <summary>
    /// The state files created or changed since <see cref="Take"/>, each with what happened to it
    /// ("created 'path'", "replaced …", "changed …", "changed … and put its modification time
    /// back"). Removed ones are fine: MSBuild makes them again.
    /// </summary>
    public List<(string Path, string Change)> Changes()
    {
        // A folder whose stamp is unchanged has the same entries (any entry made, removed or
        // renamed changes its change time): only its state files are looked at again.
        var unchanged = folders.Where(f => f.Stamp is not null && LibC.Stamp(f.Path) == f.Stamp).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var after = Stamps(folders.Select(f => f.Path).Where(f => !unchanged.Contains(f)).ToList());
        foreach (var path in files.Keys)
        {
            if (unchanged.Contains(Path.GetDirectoryName(path)!) && LibC.Stamp(path) is { } stamp)
                after[path] = stamp;
        }
        var changes = new List<(string, string)>();
        foreach (var (path, now) in after)
        {
            if (!files.TryGetValue(path, out var was))
                changes.Add((path, $"created '{path}'"));
            else if (now.Device != was.Device || now.Inode != was.Inode)
                changes.Add((path, $"replaced '{path}'"));
            else if (now != was)
                changes.Add((path, now.Size != was.Size || now.ModifiedNs != was.ModifiedNs ? $"changed '{path}'" : $"changed '{path}' and put its modification time back"));
        }
        return changes;
    }

    /// <summary>Deletes what a step left at a state file's path; false if it stays.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
                return TempDirectory.TryDelete(path);
            File.Delete(path);
            return LibC.Stamp(path) is null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The state files' paths in a folder: names only are read, no other entry is stat'ed or becomes a string.</summary>
    private static List<string> StatePaths(string folder)
    {
        try
        {
            return new FileSystemEnumerable<string>(folder, (ref FileSystemEntry e) => e.ToFullPath(), new EnumerationOptions { AttributesToSkip = 0 })
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => IsState(e.FileName),
            }.ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
