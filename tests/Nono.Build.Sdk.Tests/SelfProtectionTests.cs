namespace Nono.Build.Sdk.Tests;

/// <summary>A step must not be able to weaken the sandbox of later steps or builds.</summary>
public sealed class SelfProtectionTests(E2EEnvironment env)
{
    [Fact]
    public void AStep_CannotPlantImportsInObj_NorSymlinkAnOutputFolderElsewhere()
    {
        Landlock.Require();
        var elsewhere = Directory.CreateDirectory(Path.Combine(env.Root, "elsewhere-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var project = new TestProject(env, "self-protection")
            .Target($$"""
                <Target Name="Plant">
                  <Exec Command="echo '&lt;Project /&gt;' > obj/$(MSBuildProjectFile).planted.props" ContinueOnError="true" />
                  <Exec Command="rm -rf '$(OutDir)' &amp;&amp; ln -s '{{elsewhere}}' '$(OutDir.TrimEnd('/'))'" ContinueOnError="true" />
                </Target>
                """)
            .Write();

        var plant = project.MSBuild("-t:Plant");
        Assert.Contains("Permission denied", plant.Output);
        Assert.False(File.Exists(project.Combine("obj", "self-protection.csproj.planted.props")), "a step wrote an import into obj/");

        // Even if a link were there (planted by anything), the next build refuses to grant through it.
        var outDir = project.Combine("bin", "Debug", "net10.0");
        if (Directory.Exists(outDir))
            Directory.Delete(outDir, recursive: true);
        Directory.CreateSymbolicLink(outDir, elsewhere);
        var next = project.MSBuild("-t:Plant");
        Assert.NotEqual(0, next.ExitCode);
        Assert.Matches(@"error NONO1001: [^\n]*goes through the symlink", next.Output);
    }
}
