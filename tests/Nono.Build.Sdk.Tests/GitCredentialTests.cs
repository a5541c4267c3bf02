namespace Nono.Build.Sdk.Tests;

/// <summary>Credentials CI leaves in git configuration: warned about, and the user's kept from steps without breaking git.</summary>
public sealed class GitCredentialTests(E2EEnvironment env)
{
    private const string Token = "AUTHORIZATION: basic bm9uby1lMmUtam9iLXRva2Vu";

    [Fact]
    public void ACredentialInTheUsersGitConfig_IsWarnedAbout_AndStepsGetGitWithoutIt()
    {
        var home = Directory.CreateTempSubdirectory("nono-e2e-home-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(home, ".gitconfig"), $"""
                [user]
                	name = Nono E2E
                [http "https://github.com/"]
                	extraheader = {Token}
                [url "https://x-access-token:ghs_nonoe2e@github.com/"]
                	insteadOf = https://github.com/
                """);
            var project = new TestProject(env, "git-credential")
                .Target("""
                    <Target Name="Step">
                      <Exec Command="cat $HOME/.gitconfig; echo name=`git config --global user.name`; git config --global --list" ContinueOnError="true" />
                    </Target>
                    """)
                .Write();

            var result = project.MSBuild(new Dictionary<string, string?> { ["HOME"] = home }, "-t:Step");

            Assert.Contains("warning NONO0012", result.Output);
            Assert.Contains(Path.Combine(home, ".gitconfig"), result.Output);
            Assert.DoesNotContain("bm9uby1lMmUtam9iLXRva2Vu", result.Output);
            Assert.DoesNotContain("ghs_nonoe2e", result.Output);
            Assert.Contains("name=Nono E2E", result.Output); // git still reads the rest of it
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void ACredentialInTheRepositorysGitConfig_IsWarnedAboutWithTheFix()
    {
        var project = new TestProject(env, "git-credential-repo").GitInit().Target("""
            <Target Name="Step">
              <Exec Command="git status --short | head -1" />
            </Target>
            """).Write();
        var config = Cli.Run(project.Directory, null, "git", "config", "http.https://github.com/.extraheader", Token);
        Assert.True(config.Succeeded, config.ToString());

        var result = project.MSBuild("-t:Step");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("warning NONO0012", result.Output);
        Assert.Contains("persist-credentials: false", result.Output);
    }
}
