namespace Nono.Build.Tool;

/// <summary>
/// What restore needs to authenticate to the feeds, and the build phase never gets: the variables
/// that hold the feeds' credentials, and the credential providers NuGet runs. The build phase
/// scrubs these variables as steps do; restore keeps them, since it reaches nothing but the feeds.
/// </summary>
internal static class FeedCredentials
{
    /// <summary>Prefixes of the variables NuGet and the Azure Artifacts credential provider read credentials from.</summary>
    private static readonly string[] Prefixes =
    [
        "NuGetPackageSourceCredentials_", // NuGet: NuGetPackageSourceCredentials_SOURCE=Username=…;Password=…
        "VSS_NUGET_", // VSS_NUGET_EXTERNAL_FEED_ENDPOINTS, VSS_NUGET_ACCESSTOKEN (Azure Pipelines' NuGetAuthenticate)
        "ARTIFACTS_CREDENTIALPROVIDER_", // the provider's newer names, ARTIFACTS_CREDENTIALPROVIDER_FEED_ENDPOINTS
    ];

    /// <summary>
    /// The variables of <paramref name="names"/> that restore keeps: those the NuGet.config files
    /// name (<paramref name="configVariables"/>, <c>%NAME%</c> in a source or a credential) and
    /// those NuGet and the credential provider read by name.
    /// </summary>
    public static IEnumerable<string> Variables(IEnumerable<string> names, IReadOnlyCollection<string> configVariables) =>
        names.Where(name => configVariables.Contains(name, StringComparer.Ordinal)
            || Prefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// The credential provider plugins NuGet runs (read and execute): its plugins folder
    /// (<paramref name="pluginsFolder"/>, where it exists) and the files or folders
    /// NUGET_PLUGIN_PATHS and NUGET_NETCORE_PLUGIN_PATHS name (a file's folder: the plugin's own
    /// libraries lie beside it).
    /// </summary>
    public static IEnumerable<string> PluginFolders(string? pluginsFolder, Func<string, string?> variable)
    {
        if (pluginsFolder is not null && Directory.Exists(pluginsFolder))
            yield return pluginsFolder;
        foreach (var name in new[] { "NUGET_PLUGIN_PATHS", "NUGET_NETCORE_PLUGIN_PATHS" })
        {
            foreach (var path in (variable(name) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Path.IsPathRooted(path))
                    continue;
                if (File.Exists(path))
                    yield return Path.GetDirectoryName(path)!;
                else if (Directory.Exists(path))
                    yield return path;
            }
        }
    }
}
