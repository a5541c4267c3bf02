using System.Diagnostics;

namespace Nono.Build.Tool.Tests;

/// <summary>Ctrl+C (SIGINT to the terminal's process group) and CI cancellation (SIGTERM to dotnet nono) leave no process of the build behind.</summary>
public sealed class CancellationTests(ToolEnvironment env)
{
    [Theory]
    [InlineData("SIGINT to the process group")]
    [InlineData("SIGTERM to the build's first process")]
    public async Task ACancelledBuild_LeavesNoProcessBehind(string how)
    {
        Landlock.Require();
        var marker = $"nono-cancel-{Guid.NewGuid():N}";
        var repo = env.NewRepository("cancel", ["App"], [], extraItems: "");
        var app = Path.Combine(repo, "App");
        var project = Path.Combine(app, "App.csproj");
        // A task of the build starts a detached process and keeps the build busy.
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", $$"""
              <UsingTask TaskName="StartAndWait" TaskFactory="RoslynCodeTaskFactory" AssemblyFile="$(MSBuildToolsPath)/Microsoft.Build.Tasks.Core.dll">
                <Task>
                  <Code Type="Class" Language="cs"><![CDATA[
                    using Microsoft.Build.Utilities;
                    // A ToolTask (cancelable, as MSBuild's own are) whose tool waits, after starting a
                    // process in a session of its own, which ^C does not reach (netstandard: no
                    // ArgumentList; the marker has no space).
                    public class StartAndWait : ToolTask
                    {
                        protected override string ToolName => "sleep";
                        protected override string GenerateFullPathToTool() => "/bin/sleep";
                        protected override string GenerateCommandLineCommands() => "600";
                        public override bool Execute()
                        {
                            System.Diagnostics.Process.Start("/usr/bin/setsid", "/bin/sh -c \"sleep 600; : {{marker}}\"");
                            return base.Execute();
                        }
                    }
                  ]]></Code>
                </Task>
              </UsingTask>
              <Target Name="Busy" AfterTargets="Build"><StartAndWait /></Target>
            </Project>
            """));

        var plain = await BuildAndCancel(["dotnet", "build", "-nologo", "-tl:off"], app, marker, how);
        Assert.True(plain.Count > 0, "control: a plain build leaves processes of its tasks running");
        foreach (var pid in plain)
            Kill(pid, 9);
        Directory.Delete(Path.Combine(app, "obj"), recursive: true);
        Directory.Delete(Path.Combine(app, "bin"), recursive: true);

        var sandboxed = await BuildAndCancel([env.DotnetNono, "build", "-nologo", "-tl:off"], app, marker, how);

        Assert.Empty(sandboxed);
    }

    /// <summary>Starts the build as its own session, waits for its task's process, cancels it, and returns what is left of the marked processes.</summary>
    private async Task<List<int>> BuildAndCancel(string[] command, string app, string marker, string how)
    {
        var psi = new ProcessStartInfo("/usr/bin/setsid", ["-w", .. command])
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["NUGET_PACKAGES"] = env.Packages;
        psi.Environment["NONO_CANCEL_MARKER"] = marker; // inherited by every process of the build
        using var setsid = Process.Start(psi)!;
        var output = setsid.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        bool Started() => Marked(marker).Any(p => File.Exists($"/proc/{p}/cmdline") && File.ReadAllText($"/proc/{p}/cmdline").Contains(marker, StringComparison.Ordinal));
        while (!Started() && DateTime.UtcNow < deadline && !setsid.HasExited)
            Thread.Sleep(200);
        Assert.True(Started(), "the build never started its process: " + (setsid.HasExited ? await output : "(still running)"));

        // The leader of its own session and process group: setsid itself once it exec'd the
        // command (it forks only when it already leads a group), else its child.
        var leader = File.ReadAllText($"/proc/{setsid.Id}/cmdline").StartsWith("/usr/bin/setsid", StringComparison.Ordinal)
            ? Children(setsid.Id).Single() : setsid.Id;
        if (how.StartsWith("SIGINT", StringComparison.Ordinal))
            Kill(-leader, 2);
        else
            Kill(leader, 15);

        Assert.True(setsid.WaitForExit(TimeSpan.FromSeconds(60)), $"{command[0]} did not end after {how}");
        // dotnet itself may end a cancelled build with 0; dotnet nono never does.
        if (command[0] == env.DotnetNono)
            Assert.NotEqual(0, setsid.ExitCode);
        Thread.Sleep(500);
        return Marked(marker);
    }

    /// <summary>The processes of the build: every one has the marker in its command line or environment.</summary>
    private static List<int> Marked(string marker) =>
        Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)).Where(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "cmdline")).Contains(marker, StringComparison.Ordinal)
                    || File.ReadAllText(Path.Combine(d, "environ")).Contains(marker, StringComparison.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }).Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static List<int> Children(int pid) =>
        File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
