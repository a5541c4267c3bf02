namespace Nono.Build.Tasks.Tests;

public class SecretEnvironmentTests
{
    [Theory]
    [InlineData("GITHUB_TOKEN", "secret")]
    [InlineData("MY_API_TOKEN", "secret")]
    [InlineData("db_password", "secret")]
    [InlineData("AWS_SECRET_ACCESS_KEY", "secret")]
    [InlineData("AWS_REGION", "secret")]
    [InlineData("NUGET_API_KEY", "secret")]
    [InlineData("SSH_AUTH_SOCK", "secret")]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_URL", "secret")]
    [InlineData("LD_PRELOAD", "code injection")]
    [InlineData("DOTNET_STARTUP_HOOKS", "code injection")]
    [InlineData("BASH_ENV", "code injection")]
    [InlineData("BASH_FUNC_ls%%", "code injection")]
    [InlineData("NODE_OPTIONS", "code injection")]
    public void Drops(string name, string reason) => Assert.Equal(reason, SecretEnvironment.Reason(name));

    [Theory]
    [InlineData("PATH")]
    [InlineData("HOME")]
    [InlineData("DOTNET_ROOT")]
    [InlineData("LANG")]
    [InlineData("ld_preload_like")]
    public void Keeps(string name) => Assert.Null(SecretEnvironment.Reason(name));
}
