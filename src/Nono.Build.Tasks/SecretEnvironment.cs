namespace Nono.Build.Tasks;

/// <summary>Which environment variables a sandboxed step does not get unless they are listed in SandboxEnvironment.</summary>
internal static class SecretEnvironment
{
    private static readonly string[] SecretWords =
        ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "APIKEY", "API_KEY", "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY", "CONNECTIONSTRING", "CONNECTION_STRING"];

    private static readonly string[] SecretPrefixes = ["NUGETPACKAGESOURCECREDENTIALS_", "AWS_", "ACTIONS_ID_TOKEN_REQUEST_", "AZURE_CLIENT_", "ARM_CLIENT_", "GOOGLE_APPLICATION_", "VAULT_"];

    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "GITHUB_TOKEN", "GH_TOKEN", "NUGET_API_KEY", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_RUNTIME_URL", "ACTIONS_CACHE_URL",
        "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "KUBECONFIG", "DOCKER_AUTH_CONFIG", "NPM_CONFIG__AUTH",
        "SYSTEM_ACCESSTOKEN", "CI_JOB_JWT", "VSS_NUGET_EXTERNAL_FEED_ENDPOINTS", "NUGET_CREDENTIALPROVIDERS_PATH",
    };

    /// <summary>Variables that make a program run code of the environment's choosing.</summary>
    private static readonly HashSet<string> InjectionNames = new(StringComparer.Ordinal)
    {
        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_DEBUG_OUTPUT", "LD_PROFILE",
        "DOTNET_STARTUP_HOOKS", "DOTNET_ADDITIONAL_DEPS", "DOTNET_SHARED_STORE", "CORECLR_PROFILER", "CORECLR_PROFILER_PATH",
        "CORECLR_ENABLE_PROFILING", "COMPlus_EnableDiagnostics",
        "BASH_ENV", "ENV", "PROMPT_COMMAND", "SHELLOPTS", "PS4",
        "NODE_OPTIONS", "NODE_PATH", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PERL5OPT", "PERL5LIB", "RUBYOPT", "RUBYLIB",
        "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_EXEC_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
    };

    /// <summary>Why a variable is dropped, or null if it is kept.</summary>
    public static string? Reason(string name)
    {
        if (InjectionNames.Contains(name) || name.StartsWith("BASH_FUNC_", StringComparison.Ordinal))
            return "code injection";
        var upper = name.ToUpperInvariant();
        if (SecretNames.Contains(upper)
            || SecretPrefixes.Any(p => upper.StartsWith(p, StringComparison.Ordinal))
            || SecretWords.Any(w => upper.Contains(w, StringComparison.Ordinal)))
            return "secret";
        return null;
    }
}
