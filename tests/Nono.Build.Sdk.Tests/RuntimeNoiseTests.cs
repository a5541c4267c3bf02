namespace Nono.Build.Sdk.Tests;

/// <summary>Diagnostics say the real thing first: the runtimes' own noise is neither a denial nor a suggestion.</summary>
public sealed class RuntimeNoiseTests(E2EEnvironment env)
{
    [Fact]
    public void ADotnetProgramsDenial_IsTheFirstAndOnlyThingReported()
    {
        Landlock.Require();
        var outside = Directory.CreateDirectory(Path.Combine(env.Root, "noise-" + Guid.NewGuid().ToString("N")[..8], "settings")).FullName;
        File.WriteAllText(Path.Combine(outside, "tool.json"), "{}");
        var project = new TestProject(env, "runtime-noise") { OutputType = "Exe" }
            .Property("SandboxDiagnostics", "true")
            .File("Program.cs", $$"""
                var t = new Thread(() => Console.WriteLine("worker")) { Name = "named-worker" };
                t.Start(); t.Join();
                Console.WriteLine(File.ReadAllText("{{outside}}/tool.json"));
                """)
            .Target("""
                <Target Name="RunIt" AfterTargets="Build">
                  <Exec Command="dotnet &quot;$(TargetPath)&quot;" />
                </Target>
                """)
            .Write();

        var result = project.Build();

        Assert.NotEqual(0, result.ExitCode);
        var nono = result.Output.Split('\n').Where(l => l.Contains("NONO2001")).ToList();
        Assert.NotEmpty(nono);
        Assert.Contains($"the sandbox denied reading '{outside}/tool.json'", nono[0]);
        Assert.DoesNotContain(nono, l => l.Contains("/proc/") || l.Contains("dotnet-diagnostic") || l.Contains("AF_UNIX") || l.Contains("more denials"));
    }

    [Fact]
    public void AFailedStepsOutput_GetsAHintNamingTheNetworkOrThePath()
    {
        Landlock.Require();
        var outside = Directory.CreateDirectory(Path.Combine(env.Root, "hint-" + Guid.NewGuid().ToString("N")[..8], "data")).FullName;
        File.WriteAllText(Path.Combine(outside, "input.txt"), "x");
        var project = new TestProject(env, "output-hints")
            .Target($$"""
                <Target Name="Steps">
                  <Exec Command="python3 -c &quot;import socket; socket.getaddrinfo('api.nuget.org', 443)&quot;" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="cat {{outside}}/input.txt" ContinueOnError="ErrorAndContinue" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Steps");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("NONO3004: the step's output shows a failed name resolution", result.Output);
        Assert.Contains("<SandboxNetwork Include=\"all\" />", result.Output);
        Assert.Contains($"NONO3004: the step's output shows 'Permission denied' for '{outside}/input.txt'", result.Output);
        Assert.Contains($"<SandboxRead Include=\"{outside}\" />", result.Output);
    }
}
