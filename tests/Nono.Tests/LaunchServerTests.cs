using System.Diagnostics;
using System.Text;

namespace Nono.Tests;

/// <summary>nono-exec --serve through <see cref="LaunchServer"/>: what the SDK starts every step with on Linux.</summary>
public sealed class LaunchServerTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    private static CapabilitySet Toolchain() => new CapabilitySet()
        .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
        .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
        .AllowPath("/proc", AccessMode.Read);

    private sealed record Result(int? ExitCode, List<string> Out, List<string> Err, int TimeoutsReported);

    private static ServedProcess Start(PreparedLaunch launch, string script, string? workingDirectory = null) =>
        LaunchServer.TryStart([.. launch.LauncherArguments, "--", "/bin/sh", "-c", script],
            Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => KeyValuePair.Create((string)e.Key, (string?)e.Value)),
            workingDirectory ?? "/", launch.RulesetFd)
        ?? throw new InvalidOperationException("the launch server did not start");

    private static Result Run(ServedProcess process, int timeoutMs = -1)
    {
        var (output, error, timeouts) = (new List<string>(), new List<string>(), 0);
        var code = process.Run((line, isError) => (isError ? error : output).Add(line), Encoding.UTF8, Encoding.UTF8, timeoutMs, () => timeouts++);
        return new Result(code, output, error, timeouts);
    }

    private static Result Run(PreparedSandbox sandbox, string script, int timeoutMs = -1)
    {
        using var launch = sandbox.BeginLaunch();
        using var process = Start(launch, script);
        return Run(process, timeoutMs);
    }

    [Fact]
    public void AServedCommand_IsSandboxed_AndGetsItsOutputLinesAndExitCodeBack()
    {
        Landlock.Require();
        var data = temp.File("data/in.txt", "hello");
        var secret = temp.File("secret/key", "s3cret");
        using var sandbox = Sandbox.Prepare(Toolchain().AllowPath(Path.GetDirectoryName(data)!, AccessMode.Read));

        var result = Run(sandbox, $"cat {data}; echo; cat {secret}; printf 'a\\r\\nb\\rc\\n\\nlast'; echo to-stderr >&2; exit 3");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["hello", "a", "b", "c", "", "last"], result.Out);
        Assert.Contains(result.Err, l => l.Contains("Permission denied") && l.Contains(secret));
        Assert.Contains("to-stderr", result.Err);
    }

    [Fact]
    public void ACommandKilledByASignal_Exits128PlusTheSignal()
    {
        Landlock.Require();
        using var sandbox = Sandbox.Prepare(Toolchain());
        Assert.Equal(128 + 15, Run(sandbox, "kill -TERM $$").ExitCode);
    }

    [Fact]
    public void TheCommand_HoldsOnlyItsStandardStreams()
    {
        Landlock.Require();
        using var sandbox = Sandbox.Prepare(Toolchain());
        var result = Run(sandbox, "ls /proc/self/fd");
        Assert.Equal(0, result.ExitCode);
        // 0-2 and the descriptor ls itself opens to list the folder.
        Assert.Equal(4, result.Out.Count);
    }

    [Fact]
    public void Kill_And_Timeout_EndTheCommandAndEverythingItStarted_EvenWhileItWrites()
    {
        Landlock.Require();
        using var sandbox = Sandbox.Prepare(Toolchain());
        var marker = $"sleep 300.{Random.Shared.Next(100000, 999999)}";
        using (var launch = sandbox.BeginLaunch())
        using (var process = Start(launch, $"{marker} & {marker}"))
        {
            _ = Task.Delay(300, TestContext.Current.CancellationToken).ContinueWith(_ => process.Kill(), TestContext.Current.CancellationToken);
            Assert.Equal(128 + 9, Run(process).ExitCode);
        }
        AssertNoneLeft(marker);

        var timedOut = Run(sandbox, $"echo started; {marker} & {marker}", timeoutMs: 300);
        Assert.Equal((128 + 9, 1), (timedOut.ExitCode, timedOut.TimeoutsReported));
        Assert.Equal(["started"], timedOut.Out);
        AssertNoneLeft(marker);

        // A step that never stops writing times out too.
        var chatty = Run(sandbox, "yes", timeoutMs: 300);
        Assert.Equal((128 + 9, 1), (chatty.ExitCode, chatty.TimeoutsReported));
    }

    [Fact]
    public void ACallerThatGoesAway_TakesTheCommandWithIt()
    {
        Landlock.Require();
        using var sandbox = Sandbox.Prepare(Toolchain());
        var marker = $"sleep 300.{Random.Shared.Next(100000, 999999)}";
        using (var launch = sandbox.BeginLaunch())
        using (Start(launch, $"{marker} & {marker}"))
            Thread.Sleep(300);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Pgrep(marker).Length > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        AssertNoneLeft(marker);
    }

    [Fact]
    public void TheCommand_CannotSignalItsSupervisorOrTheServer_AndAServerThatWentAwayIsStartedAgain()
    {
        Landlock.Require();
        if (Sandbox.Support.LandlockAbi < 6)
            Assert.Fail("Landlock ABI 6 (signal scoping) is needed: this kernel has " + Sandbox.Support.LandlockAbi);
        using var sandbox = Sandbox.Prepare(Toolchain());
        // $PPID is the supervisor; its parent, the server.
        var attack = Run(sandbox, "server=$(cut -d' ' -f4 /proc/$PPID/stat); kill -KILL $PPID $server; k=$?; kill -STOP $PPID $server; echo $server $k $?");
        Assert.Equal(0, attack.ExitCode); // its supervisor was still there to say so
        var (server, killed, stopped) = attack.Out.Single().Split(' ') is [var a, var b, var c] ? (int.Parse(a), b, c) : default;
        Assert.Equal(("1", "1"), (killed, stopped)); // refused by the kernel
        Assert.Contains("--serve", File.ReadAllText($"/proc/{server}/cmdline"));

        Process.GetProcessById(server).Kill();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.Exists($"/proc/{server}/cmdline") && File.ReadAllText($"/proc/{server}/stat").Split(' ')[2] != "Z" && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        var again = Run(sandbox, "echo again");
        Assert.Equal((0, "again"), (again.ExitCode, again.Out.Single()));
    }

    private static string Pgrep(string marker)
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-f", marker]) { RedirectStandardOutput = true })!;
        var output = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return output.Trim();
    }

    private static void AssertNoneLeft(string marker)
    {
        var left = Pgrep(marker);
        Assert.True(left.Length == 0, $"processes of the command are still running: {left}");
    }
}
