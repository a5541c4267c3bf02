namespace Nono.Build.Tool.Tests;

/// <summary>Inside dotnet nono, an Exec step of a project that uses Nono.Build.Sdk keeps its own, narrower sandbox.</summary>
public sealed class NestedStepTests(ToolEnvironment env)
{
    [Fact]
    public void AnExecStep_IsConfinedByTheStepSandboxInsideTheWholeBuild_WhichAloneWouldLetItWrite()
    {
        Landlock.Require();
        var repo = env.NewRepository("nested", ["App"], []);
        var app = Path.Combine(repo, "App");
        var project = Path.Combine(app, "App.csproj");
        // obj/ itself: the whole build may write there; a step never may (MSBuild imports obj/*.props).
        File.WriteAllText(project, File.ReadAllText(project)
            .Replace("<Project Sdk=\"Microsoft.NET.Sdk\">", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <Sdk Name=\"Nono.Build.Sdk\" Version=\"0.1.0\" />")
            .Replace("</Project>", """
              <Target Name="Step" AfterTargets="Build">
                <Exec Command="touch '$(MSBuildProjectDirectory)/obj/written-by-step' &amp;&amp; echo NONO-PROBE step wrote obj || echo NONO-PROBE step denied obj" />
              </Target>
            </Project>
            """));

        var stepSandboxOff = env.Nono(app, null, "build", "-nologo", "-tl:off", "-p:SandboxEnabled=false");
        Assert.True(stepSandboxOff.Succeeded, stepSandboxOff.ToString());
        Assert.Contains("NONO-PROBE step wrote obj", stepSandboxOff.Output); // control: the whole build's policy alone allows it
        File.Delete(Path.Combine(app, "obj", "written-by-step"));

        var nested = env.Nono(app, null, "build", "-nologo", "-tl:off");

        Assert.True(nested.Succeeded, nested.ToString());
        Assert.Contains("NONO-PROBE step denied obj", nested.Output);
        Assert.False(File.Exists(Path.Combine(app, "obj", "written-by-step")));
    }
}
