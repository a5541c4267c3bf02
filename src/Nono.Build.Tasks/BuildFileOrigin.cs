namespace Nono.Build.Tasks;

/// <summary>
/// Who wrote an MSBuild file the project imports: the repository (its own files, the user's, the
/// .NET SDK and this SDK), a NuGet package, or a step (a file in the build's writable outputs).
/// Only the repository configures the sandbox.
/// </summary>
internal sealed class BuildFileOrigin
{
    private readonly IReadOnlyList<string> packageFolders;
    private readonly IReadOnlyList<string> outputFolders;
    private readonly string ownPackage;

    /// <param name="packageFolders">NuGet package folders as the project's properties name them: content there belongs to the package it is in. <see cref="KnownPackageFolders"/> are added, since a package can set those properties too.</param>
    /// <param name="outputFolders">The build's outputs, which steps may write: nothing there (nor in the .NET runtime's shared folder in /tmp) is the repository's.</param>
    /// <param name="ownPackage">This SDK's own package folder, the one package that does configure the sandbox.</param>
    public BuildFileOrigin(IEnumerable<string> packageFolders, IEnumerable<string> outputFolders, string ownPackage)
    {
        this.packageFolders = Folders(packageFolders.Concat(KnownPackageFolders));
        // Steps may also write the .NET runtime's shared folder: a package's props could import a
        // file an earlier build's step left there.
        this.outputFolders = Folders(outputFolders.Append(DefaultPolicy.DotnetSharedFiles));
        this.ownPackage = Folder(ownPackage);
    }

    /// <summary>This SDK's package folder, from where the task assembly was loaded (tasks/net8.0/ inside it).</summary>
    public static string OwnPackageFolder =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(BuildFileOrigin).Assembly.Location)!, "..", ".."));

    /// <summary>
    /// Package folders no project property decides: NUGET_PACKAGES, ~/.nuget/packages, and the one
    /// this SDK was restored into (where the project's packages are too).
    /// </summary>
    private static IEnumerable<string> KnownPackageFolders
    {
        get
        {
            yield return System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? "";
            if (System.Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home)
                yield return Path.Combine(home, ".nuget", "packages");
            if (File.Exists(Path.Combine(OwnPackageFolder, ".nupkg.metadata"))) // restored by NuGet, not a build output
                yield return Path.GetFullPath(Path.Combine(OwnPackageFolder, "..", ".."));
        }
    }

    /// <summary>Null for the repository's files; otherwise who wrote it, for messages: "the package 'x 1.0.0'".</summary>
    public string? Untrusted(string? file)
    {
        if (string.IsNullOrEmpty(file))
            return null;
        var path = Path.GetFullPath(file);
        if (path.StartsWith(ownPackage, StringComparison.Ordinal))
            return null;
        foreach (var folder in packageFolders)
        {
            if (path.StartsWith(folder, StringComparison.Ordinal))
            {
                var parts = path[folder.Length..].Split('/', 3);
                return parts.Length >= 2 ? $"the package '{parts[0]} {parts[1]}'" : $"the package folder '{folder}'";
            }
        }
        foreach (var folder in outputFolders)
        {
            if (path.StartsWith(folder, StringComparison.Ordinal))
                return $"a file in '{folder}', where build steps may write";
        }
        return null;
    }

    private static List<string> Folders(IEnumerable<string> folders) =>
        folders.Where(f => !string.IsNullOrWhiteSpace(f) && Path.IsPathRooted(f.Trim())).Select(f => Folder(f.Trim())).Distinct().ToList();

    private static string Folder(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) + "/";
}
