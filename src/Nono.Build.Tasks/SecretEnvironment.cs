using System.Text.RegularExpressions;

namespace Nono.Build.Tasks;

/// <summary>
/// Which environment variables a sandboxed step does not get unless they are listed in
/// SandboxEnvironment: secrets and what makes a program run code of the environment's choosing,
/// not configuration. A name is a secret by one of its words (split at '_': TOKEN, PASSWORD,
/// SECRET, a last word KEY, …), by being a CI system's known credential, or by its value carrying
/// a credential whatever the name (scheme://user:secret@host). AWS_REGION, AWS_PROFILE,
/// AWS_CA_BUNDLE and the like are configuration and pass.
/// </summary>
internal static partial class SecretEnvironment
{
    /// <summary>A word of the name that makes it a secret.</summary>
    private static readonly HashSet<string> SecretWords = new(StringComparer.Ordinal)
    {
        "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD", "PASSPHRASE", "PWD",
        "PSW", // Jenkins credentials(): NAME_USR and NAME_PSW
        "PAT", // personal access token (Azure DevOps AZURE_DEVOPS_EXT_PAT, GH_PAT)
        "CREDENTIAL", "CREDENTIALS", "APIKEY", "ACCESSKEY", "SECRETKEY", "PRIVATEKEY", "AUTH", "JWT", "DSN",
        "CONNECTIONSTRING", "COOKIE", "SAS", "NETRC",
    };

    /// <summary>A word that ends in one of these is one too: ACCESSTOKEN, CLIENTSECRET, NUGETPACKAGESOURCECREDENTIALS.</summary>
    private static readonly string[] SecretEndings = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIALS", "APIKEY"];

    /// <summary>Two words that make a secret together: AWS_ACCESS_KEY_ID, CONNECTION_STRING.</summary>
    private static readonly (string, string)[] SecretPairs = [("ACCESS", "KEY"), ("API", "KEY"), ("PRIVATE", "KEY"), ("CONNECTION", "STRING"), ("SIGNING", "KEY")];

    /// <summary>The CI systems' and tools' credentials whose names say nothing of it.</summary>
    private static readonly HashSet<string> SecretNames = new(StringComparer.Ordinal)
    {
        // GitHub Actions: the runtime and cache services take these as credentials.
        "ACTIONS_RUNTIME_URL", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL",
        // GitLab: the clone URL carries the job token (gitlab-ci-token:…@).
        "CI_REPOSITORY_URL",
        // TeamCity: every build parameter, password parameters included.
        "TEAMCITY_BUILD_PROPERTIES_FILE", "TEAMCITY_CONFIGURATION_PROPERTIES_FILE",
        // Azure Pipelines, Azure Artifacts' credential provider.
        "VSS_NUGET_EXTERNAL_FEED_ENDPOINTS", "ARTIFACTS_CREDENTIALPROVIDER_FEED_ENDPOINTS", "NUGET_CREDENTIALPROVIDERS_PATH",
        // Agents and keyrings a step could ask to sign or authenticate.
        "SSH_AGENT_PID", "GPG_AGENT_INFO", "KUBECONFIG", "DOCKER_AUTH_CONFIG",
    };

    /// <summary>Names that contain a secret word but are not secrets.</summary>
    private static readonly HashSet<string> NotSecrets = new(StringComparer.Ordinal) { "PWD", "OLDPWD" };

    /// <summary>Variables that make a program run code of the environment's choosing.</summary>
    private static readonly HashSet<string> InjectionNames = new(StringComparer.Ordinal)
    {
        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_DEBUG_OUTPUT", "LD_PROFILE",
        "DOTNET_STARTUP_HOOKS", "DOTNET_ADDITIONAL_DEPS", "DOTNET_SHARED_STORE", "CORECLR_PROFILER", "CORECLR_PROFILER_PATH",
        "CORECLR_ENABLE_PROFILING", "COMPlus_EnableDiagnostics",
        "BASH_ENV", "ENV", "PROMPT_COMMAND", "SHELLOPTS", "PS4",
        "NODE_OPTIONS", "NODE_PATH", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PERL5OPT", "PERL5LIB", "RUBYOPT", "RUBYLIB",
        "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_EXEC_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
        "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
    };

    /// <summary>scheme://user:secret@host: a credential in a URL, whatever the variable is called.</summary>
    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex CredentialInUrl();

    /// <summary>By name and value, NUL-separated (neither holds a NUL): a string key, as a tuple would be compiled at run time (see FileStamp).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Decided = new(StringComparer.Ordinal);

    /// <summary><see cref="Reason"/> is not null: remembered, since every step asks again about the same environment.</summary>
    public static bool IsDropped(string name, string? value) =>
        Decided.GetOrAdd(value is null ? name : name + "\0" + value, _ => Reason(name, value) is not null);

    /// <summary>Why a variable is dropped ("secret", "code injection", "credential in its value"), or null if it is kept.</summary>
    public static string? Reason(string name, string? value = null)
    {
        if (InjectionNames.Contains(name) || name.StartsWith("BASH_FUNC_", StringComparison.Ordinal)
            || name.StartsWith("GIT_CONFIG_KEY_", StringComparison.Ordinal) || name.StartsWith("GIT_CONFIG_VALUE_", StringComparison.Ordinal))
            return "code injection";
        var upper = name.ToUpperInvariant();
        if (SecretNames.Contains(upper) || (!NotSecrets.Contains(upper) && IsSecretName(upper)))
            return "secret";
        if (value is not null && CredentialInUrl().IsMatch(value))
            return "credential in its value";
        return null;
    }

    private static bool IsSecretName(string upper)
    {
        var words = upper.Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
            return false;
        if (words.Any(w => SecretWords.Contains(w) || SecretEndings.Any(e => w.EndsWith(e, StringComparison.Ordinal))))
            return true;
        if (words.Length > 1 && words[^1] == "KEY") // AZURE_STORAGE_KEY, NUGET_API_KEY, AWS_SECRET_ACCESS_KEY
            return true;
        for (var i = 0; i + 1 < words.Length; i++)
        {
            if (SecretPairs.Contains((words[i], words[i + 1])))
                return true;
        }
        return false;
    }
}
