using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;

namespace Nono.Build.Engine17.Tests;

/// <summary>
/// The tasks loaded and run by MSBuild's engine from the Microsoft.Build 17.x packages, in-process,
/// as an older MSBuild would: registered with UsingTask Override, the policy resolved from
/// InitialTargets, Exec sandboxed through the kernel.
/// </summary>
public sealed class Engine17Tests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nono-engine17-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private sealed class Collect : ILogger
    {
        public List<string> Lines { get; } = [];
        public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Normal;
        public string? Parameters { get; set; }
        public void Initialize(IEventSource eventSource) => eventSource.AnyEventRaised += (_, e) =>
        {
            lock (Lines)
                Lines.Add(e switch
                {
                    BuildErrorEventArgs err => $"error {err.Code}: {err.Message}",
                    BuildWarningEventArgs w => $"warning {w.Code}: {w.Message}",
                    _ => e.Message ?? "",
                });
        };
        public void Shutdown() { }
    }

    [Fact]
    public void TheEngineOfMicrosoftBuild17_LoadsAndRunsTheSandboxedExec()
    {
        Landlock.Require();
        var engine = System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(ProjectCollection).Assembly.Location).FileVersion;
        Assert.StartsWith("17.", engine);
        TestContext.Current.SendDiagnosticMessage($"MSBuild engine {engine}");
        var tasks = typeof(Nono.Build.Tasks.SandboxExec).Assembly.Location;
        var secret = Path.Combine(root, "outside", "secret.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        File.WriteAllText(secret, "engine17-secret");
        var projectDir = Directory.CreateDirectory(Path.Combine(root, "project")).FullName;
        var project = Path.Combine(projectDir, "p.proj");
        File.WriteAllText(project, $$"""
            <Project InitialTargets="ResolveSandboxPolicy">
              <UsingTask TaskName="Nono.Build.Tasks.ResolveSandboxPolicy" AssemblyFile="{{tasks}}" Override="true" />
              <UsingTask TaskName="Exec" AssemblyFile="{{tasks}}" Override="true" />
              <ItemGroup>
                <SandboxNetwork Include="443" />
              </ItemGroup>
              <Target Name="ResolveSandboxPolicy">
                <Nono.Build.Tasks.ResolveSandboxPolicy ProjectFile="$(MSBuildProjectFullPath)" OutputPaths="out" Network="@(SandboxNetwork)"
                                                       SuggestedPropsFile="$(MSBuildProjectDirectory)/obj/sandbox.suggested.props" />
              </Target>
              <Target Name="Build">
                <Exec Command="echo written-in-the-sandbox > out/written.txt" />
                <Exec Command="cat {{secret}}" ContinueOnError="true" />
              </Target>
            </Project>
            """);
        var logger = new Collect();
        using var collection = new ProjectCollection();
        var parameters = new BuildParameters(collection) { Loggers = [logger], MaxNodeCount = 1, EnableNodeReuse = false };

        var result = BuildManager.DefaultBuildManager.Build(parameters, new BuildRequestData(project, new Dictionary<string, string?>(), null, ["Build"], null));

        var log = string.Join("\n", logger.Lines);
        Assert.True(result.OverallResult == BuildResultCode.Success, log);
        Assert.Equal("written-in-the-sandbox", File.ReadAllText(Path.Combine(projectDir, "out", "written.txt")).Trim());
        Assert.Contains("Permission denied", log);
        Assert.DoesNotContain("engine17-secret", log);
        Assert.Contains("sandbox: ", log);
        Assert.Contains("network: TCP port 443", log);
    }
}
