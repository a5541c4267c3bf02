using System.Text.RegularExpressions;

namespace Nono.Build.Sdk.Tests;

/// <summary>Not only the project's own Exec: package targets, build events, targets run alone, and SandboxExec with its own grants.</summary>
public sealed class SandboxedEverywhereTests(E2EEnvironment env)
{
    [Fact]
    public void PackageTargets_PreBuildEvent_And_PostBuildEvent_AreSandboxed()
    {
        Landlock.Require();
        var project = new TestProject(env, "events")
            // The events report the denial and carry on, so the build gets to the package's step.
            .Property("PreBuildEvent", $"cat {env.SecretFile}; echo \"pre-build event: cat exited $?\"")
            .Property("PostBuildEvent", $"cat {env.SecretFile}; echo \"post-build event: cat exited $?\"")
            .Item($"""<PackageReference Include="{E2EEnvironment.PackageWithTargetsId}" Version="{E2EEnvironment.PackageWithTargetsVersion}" />""")
            .Write();

        var result = project.Build();

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain(env.SecretContent, result.Output);
        Assert.Contains("pre-build event: cat exited 1", result.Output);
        Assert.Contains("post-build event: cat exited 1", result.Output);
        Assert.Equal(3, CountOf(result.Output, $"cat: {env.SecretFile}: Permission denied"));
        // The package's Exec ran (after Build, from the package's build/<id>.targets) and failed.
        var packageTargets = Path.Combine(env.Packages, E2EEnvironment.PackageWithTargetsId.ToLowerInvariant(), E2EEnvironment.PackageWithTargetsVersion, "build", E2EEnvironment.PackageWithTargetsId + ".targets");
        Assert.Matches($@"{Regex.Escape(packageTargets)}\(\d+,\d+\): error MSB3073: The command ""cat {Regex.Escape(env.SecretFile)}"" exited with code 1", result.Output);
        Assert.True(File.Exists(project.Combine("bin", "Debug", "net10.0", "events.dll")), "the build itself should have got past compilation");
    }

    [Fact]
    public void TargetRunAlone_IsSandboxed_AndSandboxExec_AddsItsOwnGrants()
    {
        Landlock.Require();
        var outside = Directory.CreateDirectory(Path.Combine(env.Root, "outside-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var data = Path.Combine(outside, "readable", "data.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(data, "outside-data-" + Guid.NewGuid().ToString("N") + "\n");
        var writable = Path.Combine(outside, "writable");
        var made = Path.Combine(writable, "made.txt");
        var madeDenied = Path.Combine(outside, "made-denied.txt");
        var project = new TestProject(env, "alone")
            .Target($$"""
                <Target Name="Alone">
                  <Exec Command="cat {{env.SecretFile}}; echo &quot;alone: cat exited $?&quot;" />
                </Target>
                <Target Name="OwnGrants">
                  <SandboxExec Command="cat {{data}}" Read="{{Path.GetDirectoryName(data)}}" />
                  <SandboxExec Command="echo made > {{made}}" Write="{{writable}}" />
                  <Exec Command="cat {{data}}" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="echo made > {{madeDenied}}" ContinueOnError="ErrorAndContinue" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Alone;OwnGrants");

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain(env.SecretContent, result.Output);
        Assert.Contains("alone: cat exited 1", result.Output);
        Assert.Contains($"cat: {env.SecretFile}: Permission denied", result.Output);
        // With the task's own Read and Write the step can; the same command without them cannot.
        Assert.Equal(1, CountOf(result.Output, File.ReadAllText(data).Trim()));
        Assert.Contains($"cat: {data}: Permission denied", result.Output);
        Assert.Equal("made", File.ReadAllText(made).Trim());
        Assert.Contains($"error MSB3073: The command \"echo made > {madeDenied}\" exited with code", result.Output);
        Assert.False(File.Exists(madeDenied));
        Assert.DoesNotContain("CoreCompile", result.Output);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
