namespace Nono.Build.Tasks;

/// <summary>
/// The home folder's secrets: keys, cloud and registry credentials, keyrings. No grant and no
/// suggestion ever covers one; the home folder itself is never granted either.
/// </summary>
internal static class SecretFolders
{
    /// <summary>Relative to the home folder.</summary>
    private static readonly string[] InHome =
    [
        ".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".config/gcloud", ".config/gh", ".config/hub",
        ".password-store", ".local/share/keyrings", ".netrc", ".git-credentials", ".config/git/credentials", ".npmrc",
        ".pypirc", ".cargo/credentials", ".cargo/credentials.toml", ".nuget/NuGet", ".config/NuGet", ".terraform.d",
        ".vault-token", ".dotnet/corefx", ".microsoft/usersecrets", ".m2/settings.xml", ".gradle/gradle.properties", ".pki", ".mozilla", ".config/google-chrome",
    ];

    /// <summary>The secret <paramref name="path"/> is, is inside, or holds; null when none.</summary>
    public static string? Touched(string path, string? home)
    {
        if (string.IsNullOrEmpty(home) || !Path.IsPathRooted(home))
            return null;
        home = Path.TrimEndingDirectorySeparator(home);
        path = Path.TrimEndingDirectorySeparator(path);
        if (path == home)
            return home;
        foreach (var relative in InHome)
        {
            var secret = home + "/" + relative;
            if (path == secret || path.StartsWith(secret + "/", StringComparison.Ordinal) || secret.StartsWith(path + "/", StringComparison.Ordinal))
                return secret;
        }
        return null;
    }
}
