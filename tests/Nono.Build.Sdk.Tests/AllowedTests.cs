namespace Nono.Build.Sdk.Tests;

/// <summary>What an ordinary build step needs works inside the sandbox, with nothing declared.</summary>
public sealed class AllowedTests(E2EEnvironment env)
{
    [Fact]
    public void PostBuildStep_WritesBinAndObj_ReadsSources_RunsScriptsAndTheToolchain()
    {
        Landlock.Require();
        // git's user configuration, outside every granted tree: git refuses to run if it cannot read it.
        var configHome = Directory.CreateDirectory(Path.Combine(env.Root, "xdg-config-" + Guid.NewGuid().ToString("N")[..8], "git")).Parent!.FullName;
        File.WriteAllText(Path.Combine(configHome, "git", "config"), "[nonoe2e]\n\tmarker = from-user-config\n");
        File.WriteAllText(Path.Combine(configHome, "git", "credentials"), "https://user:e2e-credential@example.invalid\n");
        var project = new TestProject(env, "allowed")
            .File("scripts/stamp.sh", "#!/bin/sh\nset -e\necho \"stamped by $(basename \"$0\")\" > \"$1\"\n", executable: true)
            .File("data/input.txt", "alpha\nbeta\n")
            .Target("""
                <Target Name="E2EPostBuild" AfterTargets="Build">
                  <Exec Command="echo bin-ok > $(OutDir)step-bin.txt" />
                  <Exec Command="mkdir -p $(IntermediateOutputPath)gen/nested &amp;&amp; cp Class1.cs $(IntermediateOutputPath)gen/nested/Copy.cs" />
                  <Exec Command="./scripts/stamp.sh $(IntermediateOutputPath)script.txt" />
                  <Exec Command="sh -c 'echo from-sh' > $(IntermediateOutputPath)sh.txt" />
                  <Exec Command="sed 's/beta/gamma/' data/input.txt > $(IntermediateOutputPath)sed.txt" />
                  <Exec Command="tar -cf $(IntermediateOutputPath)src.tar Class1.cs data scripts &amp;&amp; tar -tf $(IntermediateOutputPath)src.tar > $(IntermediateOutputPath)tar.txt" />
                  <Exec Command="git rev-parse --show-toplevel > $(IntermediateOutputPath)toplevel.txt" />
                  <Exec Command="git config --get nonoe2e.marker > $(IntermediateOutputPath)gitconfig.txt" />
                  <Exec Command="cat $XDG_CONFIG_HOME/git/credentials; echo &quot;credentials: cat exited $?&quot;" />
                  <Exec Command="python3 -c 'print(6 * 7)' > $(IntermediateOutputPath)python.txt" />
                  <Exec Command="node -e 'console.log(6 * 8)' > $(IntermediateOutputPath)node.txt" />
                  <Exec Command="dotnet --version > $(IntermediateOutputPath)dotnet.txt" />
                </Target>
                """)
            .GitInit()
            .Write();

        var result = project.Build(new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = configHome });

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(" scrubbed (" + project.ProjectFile + ")", result.Output);
        string Obj(string name) => File.ReadAllText(project.Combine("obj", "Debug", "net10.0", name)).Trim();
        Assert.Equal("bin-ok", File.ReadAllText(project.Combine("bin", "Debug", "net10.0", "step-bin.txt")).Trim());
        Assert.True(File.Exists(project.Combine("bin", "Debug", "net10.0", "allowed.dll")));
        Assert.Equal(File.ReadAllText(project.Combine("Class1.cs")).Trim(), Obj("gen/nested/Copy.cs"));
        Assert.Equal("stamped by stamp.sh", Obj("script.txt"));
        Assert.Equal("from-sh", Obj("sh.txt"));
        Assert.Equal("alpha\ngamma", Obj("sed.txt"));
        Assert.Equal(["Class1.cs", "data/", "data/input.txt", "scripts/", "scripts/stamp.sh"], Obj("tar.txt").Split('\n').Order(StringComparer.Ordinal));
        Assert.Equal(project.Directory, Obj("toplevel.txt"));
        Assert.Equal("from-user-config", Obj("gitconfig.txt"));
        Assert.Contains("credentials: cat exited 1", result.Output);
        Assert.DoesNotContain("e2e-credential", result.Output);
        Assert.Equal("42", Obj("python.txt"));
        Assert.Equal("48", Obj("node.txt"));
        Assert.Matches(@"^\d+\.\d+\.\d+", Obj("dotnet.txt"));
    }

    /// <summary>A step that generates a source into the intermediate folder before the compiler runs, as
    /// code generators do: not MSBuild's state, so the check after each step leaves it alone.</summary>
    [Fact]
    public void AStepGeneratingASourceIntoObj_BeforeCompile_IsCompiled()
    {
        Landlock.Require();
        var project = new TestProject(env, "generates")
            .File("Class1.cs", "namespace E2E;\n\npublic static class Class1\n{\n    public static string Version => Generated.Version;\n}\n")
            .Target("""
                <Target Name="GenerateVersion" BeforeTargets="CoreCompile">
                  <Exec Command="printf 'namespace E2E;\ninternal static class Generated { public const string Version = &quot;1.2.3&quot;; }\n' > $(IntermediateOutputPath)Version.g.cs" />
                  <ItemGroup>
                    <Compile Include="$(IntermediateOutputPath)Version.g.cs" />
                  </ItemGroup>
                </Target>
                """)
            .Write();

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.DoesNotContain("NONO3003", result.Output);
        Assert.True(File.Exists(project.Combine("bin", "Debug", "net10.0", "generates.dll")));
    }
}
