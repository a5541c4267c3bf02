using System.Diagnostics;

namespace Nono.Tests;

/// <summary>
/// Sandbox.Apply is irreversible, so it runs in a fresh copy of this test host: the parent starts
/// it with NONO_TEST_APPLY=1, and <see cref="Program"/> hands over to <see cref="ApplyChild"/>.
/// </summary>
public class ApplyTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Apply_RestrictsEveryThread_IncludingOnesStartedBefore_AndChildProcesses()
    {
        Landlock.Require();
        var allowed = temp.File("allowed/ok.txt", "ok");
        var denied = temp.File("denied/secret.txt", "secret");

        var result = RunChild(allowed, denied);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("allowed-read: ok", result.Output);
        Assert.Contains("main-thread: denied", result.Output);
        Assert.Contains("earlier-thread: denied", result.Output);
        Assert.Contains("threadpool: denied", result.Output);
        Assert.Contains("child-process: exit 1", result.Output);
    }

    private static (int ExitCode, string Output) RunChild(string allowed, string denied)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(ApplyTests).Assembly.Location);
        psi.Environment[ApplyChild.Switch] = "1";
        psi.Environment["NONO_TEST_ALLOWED"] = allowed;
        psi.Environment["NONO_TEST_DENIED"] = denied;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
            p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return (p.ExitCode, output.Result + err.Result);
    }
}

internal static class ApplyChild
{
    public const string Switch = "NONO_TEST_APPLY";

    public static int Run()
    {
        try
        {
            Run(Environment.GetEnvironmentVariable("NONO_TEST_ALLOWED")!, Environment.GetEnvironmentVariable("NONO_TEST_DENIED")!);
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"child failed: {e}");
            return 3;
        }
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (UnauthorizedAccessException)
        {
            return "denied";
        }
    }

    private static void Run(string allowed, string denied)
    {
        using var go = new ManualResetEventSlim();
        string? earlier = null;
        var thread = new Thread(() =>
        {
            go.Wait();
            earlier = TryRead(denied);
        });
        thread.Start();
        // Warm up what the checks below use, so only the sandbox decides their outcome.
        _ = TryRead(allowed);
        _ = Task.Run(() => 0).Result;

        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var caps = new CapabilitySet()
            .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
            .AllowPath(Path.GetFullPath(Path.Combine(runtime, "../../..")), AccessMode.Read | AccessMode.Execute)
            .AllowPath(AppContext.BaseDirectory, AccessMode.Read | AccessMode.Execute)
            .AllowPath("/proc", AccessMode.Read)
            .AllowFile("/dev/null", AccessMode.ReadWrite)
            .AllowPath(Path.GetDirectoryName(allowed)!, AccessMode.Read);
        Sandbox.Apply(caps);

        Console.WriteLine($"allowed-read: {TryRead(allowed)}");
        Console.WriteLine($"main-thread: {TryRead(denied)}");
        go.Set();
        thread.Join();
        Console.WriteLine($"earlier-thread: {earlier}");
        Console.WriteLine($"threadpool: {Task.Run(() => TryRead(denied)).Result}");
        using var cat = Process.Start(new ProcessStartInfo("/bin/cat", denied) { RedirectStandardError = true })!;
        cat.StandardError.ReadToEnd();
        cat.WaitForExit();
        Console.WriteLine($"child-process: exit {cat.ExitCode}");
    }
}
