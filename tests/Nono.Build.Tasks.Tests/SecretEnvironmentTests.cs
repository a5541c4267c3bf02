namespace Nono.Build.Tasks.Tests;

public class SecretEnvironmentTests
{
    [Theory]
    [InlineData("GITHUB_TOKEN", "secret")]
    [InlineData("GH_TOKEN", "secret")]
    [InlineData("MY_API_TOKEN", "secret")]
    [InlineData("db_password", "secret")]
    [InlineData("AWS_SECRET_ACCESS_KEY", "secret")]
    [InlineData("AWS_ACCESS_KEY_ID", "secret")]
    [InlineData("AWS_SESSION_TOKEN", "secret")]
    [InlineData("AWS_CONTAINER_CREDENTIALS_FULL_URI", "secret")]
    [InlineData("NUGET_API_KEY", "secret")]
    [InlineData("NuGetPackageSourceCredentials_myfeed", "secret")]
    [InlineData("SSH_AUTH_SOCK", "secret")]
    [InlineData("GPG_PASSPHRASE", "secret")]
    [InlineData("GPG_PRIVATE_KEY", "secret")]
    [InlineData("AZURE_STORAGE_KEY", "secret")]
    [InlineData("AZURE_CLIENT_SECRET", "secret")]
    [InlineData("AZURE_STORAGE_CONNECTION_STRING", "secret")]
    [InlineData("SONAR_TOKEN", "secret")]
    [InlineData("NODE_AUTH_TOKEN", "secret")]
    [InlineData("TWINE_PASSWORD", "secret")]
    [InlineData("VAULT_TOKEN", "secret")]
    [InlineData("SENTRY_DSN", "secret")]
    // GitHub Actions
    [InlineData("ACTIONS_RUNTIME_TOKEN", "secret")]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_URL", "secret")]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "secret")]
    [InlineData("ACTIONS_CACHE_URL", "secret")]
    [InlineData("ACTIONS_RESULTS_URL", "secret")]
    // GitLab
    [InlineData("CI_JOB_TOKEN", "secret")]
    [InlineData("CI_JOB_JWT_V2", "secret")]
    [InlineData("CI_REGISTRY_PASSWORD", "secret")]
    [InlineData("CI_DEPENDENCY_PROXY_PASSWORD", "secret")]
    [InlineData("CI_REPOSITORY_URL", "secret")]
    // Jenkins credentials()
    [InlineData("DEPLOY_CREDS_PSW", "secret")]
    // Azure Pipelines
    [InlineData("SYSTEM_ACCESSTOKEN", "secret")]
    [InlineData("AZURE_DEVOPS_EXT_PAT", "secret")]
    [InlineData("VSS_NUGET_EXTERNAL_FEED_ENDPOINTS", "secret")]
    // CircleCI
    [InlineData("CIRCLE_OIDC_TOKEN_V2", "secret")]
    // Buildkite
    [InlineData("BUILDKITE_AGENT_ACCESS_TOKEN", "secret")]
    // TeamCity
    [InlineData("TEAMCITY_BUILD_PROPERTIES_FILE", "secret")]
    [InlineData("LD_PRELOAD", "code injection")]
    [InlineData("DOTNET_STARTUP_HOOKS", "code injection")]
    [InlineData("BASH_ENV", "code injection")]
    [InlineData("BASH_FUNC_ls%%", "code injection")]
    [InlineData("NODE_OPTIONS", "code injection")]
    [InlineData("GIT_CONFIG_KEY_0", "code injection")]
    public void Drops(string name, string reason) => Assert.Equal(reason, SecretEnvironment.Reason(name, "value"));

    [Theory]
    [InlineData("PATH")]
    [InlineData("HOME")]
    [InlineData("PWD")]
    [InlineData("OLDPWD")]
    [InlineData("DOTNET_ROOT")]
    [InlineData("LANG")]
    [InlineData("ld_preload_like")]
    [InlineData("AWS_REGION")]
    [InlineData("AWS_DEFAULT_REGION")]
    [InlineData("AWS_CA_BUNDLE")]
    [InlineData("AWS_PROFILE")]
    [InlineData("AWS_CONFIG_FILE")]
    [InlineData("AWS_ENDPOINT_URL")]
    [InlineData("VAULT_ADDR")]
    [InlineData("AZURE_CLIENT_ID")]
    [InlineData("TOKENIZERS_PARALLELISM")]
    [InlineData("CI_JOB_ID")]
    [InlineData("CI_PROJECT_URL")]
    [InlineData("DEPLOY_CREDS_USR")]
    [InlineData("GITHUB_REPOSITORY")]
    [InlineData("BUILDKITE_AGENT_ENDPOINT")]
    [InlineData("TEAMCITY_VERSION")]
    public void Keeps(string name) => Assert.Null(SecretEnvironment.Reason(name, "/some/path"));

    [Theory]
    [InlineData("https://gitlab-ci-token:glcbt-64_abc@gitlab.example.com/group/repo.git")]
    [InlineData("postgres://app:hunter2@db:5432/app")]
    [InlineData("amqp://guest:guest@rabbit/")]
    public void AValueCarryingACredential_IsDroppedWhateverTheName(string value) =>
        Assert.Equal("credential in its value", SecretEnvironment.Reason("SOME_URL", value));

    [Theory]
    [InlineData("https://gitlab.example.com/group/repo.git")]
    [InlineData("https://user@example.com/")]
    [InlineData("http://[::1]:8080/path")]
    public void AUrlWithoutACredential_Passes(string value) => Assert.Null(SecretEnvironment.Reason("SOME_URL", value));
}

public class PolicyLogTests
{
    [Fact]
    public void TheSummary_IsOneShortLine()
    {
        var caps = new CapabilitySet().AllowPath("/usr", AccessMode.Read | AccessMode.Execute).AllowPath("/tmp", AccessMode.ReadWrite);
        Assert.Equal("sandbox: 1 read, 1 write, network blocked, 4 variables scrubbed", PolicyLog.Summary(caps, 4));
        caps.AllowTcpConnect(443).AllowTcpConnect(80);
        Assert.Equal("sandbox: 1 read, 1 write, network: TCP ports 80, 443, 1 variable scrubbed", PolicyLog.Summary(caps, 1));
        caps.SetNetworkMode(NetworkMode.AllowAll);
        Assert.Equal("sandbox: 1 read, 1 write, network allowed, 0 variables scrubbed", PolicyLog.Summary(caps, 0));
    }

    [Fact]
    public void TheSummary_NamesTheHosts_AndNotTheProxysPort()
    {
        var caps = new CapabilitySet().AllowPath("/usr", AccessMode.Read).AllowTcpConnect(40000).SetNetworkMode(NetworkMode.ProxyOnly);
        var hosts = new[] { Nono.Egress.HostPattern.Parse("registry.npmjs.org"), Nono.Egress.HostPattern.Parse(".nuget.org") };
        Assert.Equal("sandbox: 1 read, 0 write, network: hosts registry.npmjs.org, .nuget.org (through the egress proxy), 0 variables scrubbed",
            PolicyLog.Summary(caps, 0, hosts, proxyPort: 40000));
        caps.AllowTcpConnect(22);
        Assert.Equal("sandbox: 1 read, 0 write, network: TCP port 22, hosts registry.npmjs.org, .nuget.org (through the egress proxy), 0 variables scrubbed",
            PolicyLog.Summary(caps, 0, hosts, proxyPort: 40000));
    }
}
