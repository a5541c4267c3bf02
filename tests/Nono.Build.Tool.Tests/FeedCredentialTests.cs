using System.Security;

namespace Nono.Build.Tool.Tests;

/// <summary>
/// Restore authenticates to a private feed with the credential the environment holds, as in a
/// plain build; the build phase, where package code runs, does not get it, though no secret word
/// gives the nuget.config's variable away (NONO_E2E_FEED_PASS).
/// </summary>
public sealed class FeedCredentialTests(ToolEnvironment env)
{
    private const string Secret = "feed-secret-4711";

    [Theory]
    [InlineData("NuGetConfig")] // nuget.config: <add key="ClearTextPassword" value="%NONO_E2E_FEED_PASS%" />
    [InlineData("NuGetVariable")] // NuGetPackageSourceCredentials_private=Username=…;Password=…
    public void RestoreGetsThePrivateFeedsCredential_WhichTheBuildsPackageCodeDoesNot(string form)
    {
        Landlock.Require();
        var id = $"Nono.E2E.FeedProbe{form}{Guid.NewGuid().ToString("N")[..8]}";
        using var feed = new AuthenticatedFeed("e2e", Secret, id, """
            <Project>
              <Target Name="NonoFeedProbe" AfterTargets="Build">
                <Message Importance="high" Text="NONO-PROBE feed-credential=[$(NONO_E2E_FEED_PASS)$(NuGetPackageSourceCredentials_private)]" />
              </Target>
            </Project>
            """);
        var repo = env.NewRepository("feed-credential", ["App"], [], extraItems: $"<PackageReference Include=\"{id}\" Version=\"1.0.0\" />");
        var credentials = form == "NuGetConfig"
            ? """<packageSourceCredentials><private><add key="Username" value="e2e" /><add key="ClearTextPassword" value="%NONO_E2E_FEED_PASS%" /></private></packageSourceCredentials>"""
            : "";
        File.WriteAllText(Path.Combine(repo, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="private" value="{SecurityElement.Escape(feed.IndexUrl)}" allowInsecureConnections="true" /></packageSources>
              {credentials}
            </configuration>
            """);
        var environment = new Dictionary<string, string?>
        {
            [form == "NuGetConfig" ? "NONO_E2E_FEED_PASS" : "NuGetPackageSourceCredentials_private"] = form == "NuGetConfig" ? Secret : $"Username=e2e;Password={Secret}",
        };
        var app = Path.Combine(repo, "App");

        var sandboxed = env.Nono(app, environment, "build", "-nologo", "-tl:off");
        var plain = env.Dotnet(app, environment, "build", "-nologo", "-tl:off");

        Assert.True(sandboxed.Succeeded, sandboxed.ToString());
        Assert.Equal(1, feed.Downloads);
        Assert.Contains("NONO-PROBE feed-credential=[]", sandboxed.Output);
        Assert.DoesNotContain(Secret, sandboxed.Output);
        Assert.True(plain.Succeeded, plain.ToString());
        Assert.Contains($"NONO-PROBE feed-credential=[{(form == "NuGetConfig" ? Secret : $"Username=e2e;Password={Secret}")}]", plain.Output);
    }
}
