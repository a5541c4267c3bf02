namespace Nono.Build.Tool;

/// <summary>
/// The variables that hold the feeds' credentials: restore keeps them, since it reaches nothing
/// but the feeds; the build phase, where package code runs, never gets them, whatever their names.
/// </summary>
internal static class FeedCredentials
{
    /// <summary>NuGet's own: NuGetPackageSourceCredentials_SOURCE=Username=…;Password=….</summary>
    private const string NuGetPrefix = "NuGetPackageSourceCredentials_";

    /// <summary>
    /// The names among <paramref name="names"/> that hold a feed's credential: those the
    /// NuGet.config files' sources and credentials name (<paramref name="configVariables"/>,
    /// <c>%NAME%</c>) and NuGet's NuGetPackageSourceCredentials_SOURCE.
    /// </summary>
    public static IEnumerable<string> Variables(IEnumerable<string> names, IReadOnlyCollection<string> configVariables) =>
        names.Where(name => configVariables.Contains(name, StringComparer.Ordinal) || name.StartsWith(NuGetPrefix, StringComparison.OrdinalIgnoreCase));
}
