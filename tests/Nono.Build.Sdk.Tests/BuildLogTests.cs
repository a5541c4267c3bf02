using System.Text.RegularExpressions;

namespace Nono.Build.Sdk.Tests;

/// <summary>What the build log says about the sandbox: short at normal verbosity, once per project per build.</summary>
public sealed class BuildLogTests(E2EEnvironment env)
{
    [Fact]
    public void NormalVerbosity_HasOneSummaryLinePerProject_HoweverOftenThePolicyTargetRuns()
    {
        Landlock.Require();
        var project = new TestProject(env, "log-once")
            .Target("""
                <Target Name="CallAgain" AfterTargets="Build">
                  <!-- Another instance of the project: InitialTargets run again. -->
                  <MSBuild Projects="$(MSBuildProjectFullPath)" Targets="Step" Properties="Another=1" />
                </Target>
                <Target Name="Step"><Exec Command="echo step-ran" /></Target>
                """)
            .Write();

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("step-ran", result.Output);
        var summaries = Regex.Matches(result.Output, @"sandbox: \d+ read, \d+ write, network blocked, \d+ variables? scrubbed \(" + Regex.Escape(project.ProjectFile) + @"\)");
        Assert.Single(summaries);
        Assert.DoesNotContain("Sandbox policy for", result.Output);
        Assert.True(result.Output.Split('\n').Length < 400, $"the log has {result.Output.Split('\n').Length} lines");
    }

    [Fact]
    public void ConfigurationPasses_SecretsAndCredentialUrlsDoNot()
    {
        Landlock.Require();
        var project = new TestProject(env, "log-scrub")
            .Target("""
                <Target Name="Show">
                  <Exec Command="echo region=${AWS_REGION:-unset} bundle=${AWS_CA_BUNDLE:-unset} key=${AZURE_STORAGE_KEY:-unset} url=${CI_REPOSITORY_URL:-unset} other=${SOME_MIRROR:-unset}" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild(new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "eu-west-1",
            ["AWS_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt",
            ["AZURE_STORAGE_KEY"] = "azkey-secret",
            ["CI_REPOSITORY_URL"] = "https://gitlab-ci-token:glcbt-secret@gitlab.example.com/g/r.git",
            ["SOME_MIRROR"] = "https://me:hunter2-secret@mirror.example.com/",
        }, "-t:Show", "-v:d");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("region=eu-west-1 bundle=/etc/ssl/certs/ca-certificates.crt key=unset url=unset other=unset", result.Output);
        Assert.DoesNotContain("-secret", result.Output);
        Assert.Matches(@"steps do not get [^\n]*\bAZURE_STORAGE_KEY\b[^\n]*\bCI_REPOSITORY_URL\b[^\n]*\bSOME_MIRROR\b", result.Output);
    }
}
