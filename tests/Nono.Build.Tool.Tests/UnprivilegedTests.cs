namespace Nono.Build.Tool.Tests;

/// <summary>
/// dotnet nono as an unprivileged user (nobody when the tests run as root): the whole build is confined the same way, and
/// with -m:2 the build's own node pipes still connect through the supervisor (pidfd_getfd over
/// the user's own processes). The probe is MSBuild itself reading a file of the user's in-process.
/// </summary>
public sealed class UnprivilegedTests(ToolEnvironment env)
{
    [Fact]
    public void AsAnUnprivilegedUser_AnInProcessReadOfTheUsersSecret_WorksInAPlainBuild_ButNotUnderDotnetNono_WithTwoNodes()
    {
        Landlock.Require();
        // An ordinary user: nobody when the tests run as root (CI), else the tests' own user.
        var asRoot = Environment.UserName == "root";
        var root = Directory.CreateTempSubdirectory("nono-unprivileged-").FullName;
        try
        {
            var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
            var secret = Path.Combine(home, "secret.txt");
            File.WriteAllText(secret, "nobody-secret-5b1e\n");
            var repo = Directory.CreateDirectory(Path.Combine(root, "repo")).FullName;
            Directory.CreateDirectory(Path.Combine(repo, ".git"));
            File.WriteAllText(Path.Combine(repo, "nuget.config"), "<configuration><packageSources><clear /></packageSources></configuration>");
            File.WriteAllText(Path.Combine(repo, "Directory.Build.targets"), $"""
                <Project>
                  <Target Name="ReadTheSecret" AfterTargets="Build">
                    <ReadLinesFromFile File="{secret}" ContinueOnError="true"><Output TaskParameter="Lines" ItemName="Secret" /></ReadLinesFromFile>
                    <Message Importance="high" Text="NONO-PROBE $(MSBuildProjectName) secret=@(Secret)" />
                  </Target>
                </Project>
                """);
            foreach (var project in new[] { "A", "B" })
            {
                Directory.CreateDirectory(Path.Combine(repo, project));
                File.WriteAllText(Path.Combine(repo, project, project + ".csproj"), """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
                File.WriteAllText(Path.Combine(repo, project, "C.cs"), $"namespace {project}; public static class C {{ }}\n");
            }
            File.WriteAllText(Path.Combine(repo, "All.slnx"), """<Solution><Project Path="A/A.csproj" /><Project Path="B/B.csproj" /></Solution>""");
            Assert.True(Cli.Run(root, null, "cp", "-a", Path.GetDirectoryName(env.DotnetNono)!, Path.Combine(root, "tool")).Succeeded);
            if (asRoot)
                Assert.True(Cli.Run(root, null, "chown", "-R", "nobody:nogroup", root).Succeeded);

            CliResult AsUser(params string[] command) => Cli.Run(repo, null, asRoot ? "runuser" : "env",
                [.. asRoot ? new[] { "-u", "nobody", "--", "env" } : [], $"HOME={home}", $"NUGET_PACKAGES={Path.Combine(root, "packages")}", "DOTNET_NOLOGO=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1", .. command]);

            var plain = AsUser("dotnet", "build", "All.slnx", "-m:2", "-nologo", "-tl:off");
            Assert.True(plain.Succeeded, plain.ToString());
            Assert.Contains("NONO-PROBE A secret=nobody-secret-5b1e", plain.Output);
            foreach (var project in new[] { "A", "B" })
            {
                Directory.Delete(Path.Combine(repo, project, "obj"), recursive: true);
                Directory.Delete(Path.Combine(repo, project, "bin"), recursive: true);
            }

            var sandboxed = AsUser(Path.Combine(root, "tool", "dotnet-nono"), "build", "All.slnx", "-m:2", "-nologo", "-tl:off");

            Assert.True(sandboxed.Succeeded, sandboxed.ToString());
            Assert.DoesNotContain("nobody-secret-5b1e", sandboxed.Output);
            Assert.Contains("NONO-PROBE A secret=", sandboxed.Output);
            Assert.Contains("NONO-PROBE B secret=", sandboxed.Output);
            Assert.Contains("denied", sandboxed.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
