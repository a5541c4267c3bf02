using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Nono.Tests.MacOS;

/// <summary>
/// What macOS's kernel does with the profile: compiled only on macOS (Nono.Tests.csproj) and run by
/// .github/workflows/macos.yml on arm64 and x64 runners. None of them skips: where Seatbelt does not
/// work (no sandbox-exec, libsandbox missing, already sandboxed) each one fails.
/// </summary>
public class SeatbeltEnforcementTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    private static void RequireSeatbelt()
    {
        var support = Sandbox.Support;
        Assert.True(support.IsSupported, $"Seatbelt must work on this macOS machine: {support.Reason}");
        Assert.Equal("macos", support.Platform);
    }

    private static (int ExitCode, string Output, string Error) Run(CapabilitySet caps, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var p = SandboxedProcess.Start(caps, psi);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
            p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return (p.ExitCode, output.Result, error.Result);
    }

    private static CapabilitySet Tools() => new CapabilitySet().AllowPath("/bin", AccessMode.Read | AccessMode.Execute);

    [Fact]
    public void Support_SaysSeatbelt()
    {
        RequireSeatbelt();
        Assert.Null(Sandbox.Support.Reason);
    }

    [Fact]
    public void ASandboxedProcess_ReadsAGrantedFile_AndIsDeniedAnother()
    {
        RequireSeatbelt();
        var allowed = temp.File("allowed/ok.txt", "ok");
        var denied = temp.File("denied/secret.txt", "secret");
        Assert.Equal("secret", File.ReadAllText(denied)); // readable outside the sandbox

        var caps = Tools().AllowPath(Path.GetDirectoryName(allowed)!, AccessMode.Read);

        var ok = Run(caps, "/bin/cat", allowed);
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Equal("ok", ok.Output);
        var no = Run(caps, "/bin/cat", denied);
        Assert.NotEqual(0, no.ExitCode);
        Assert.Contains("Operation not permitted", no.Error);
        Assert.DoesNotContain("secret", no.Output);
    }

    [Fact]
    public void ASandboxedProcess_WritesOnlyWhereWriteIsGranted()
    {
        RequireSeatbelt();
        var writable = temp.Dir("out");
        var readOnly = temp.Dir("src");
        var caps = Tools().AllowPath(writable, AccessMode.ReadWrite).AllowPath(readOnly, AccessMode.Read);

        var ok = Run(caps, "/bin/bash", "-c", $"echo made > '{writable}/a.txt'");
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Equal("made\n", File.ReadAllText(Path.Combine(writable, "a.txt")));
        var no = Run(caps, "/bin/bash", "-c", $"echo made > '{readOnly}/a.txt'");
        Assert.NotEqual(0, no.ExitCode);
        Assert.Contains("Operation not permitted", no.Error);
        Assert.False(File.Exists(Path.Combine(readOnly, "a.txt")));
    }

    [Fact]
    public void AWriteGrant_DoesNotAllowSymlinks_ACreateSymlinkGrantDoes()
    {
        RequireSeatbelt();
        var writable = temp.Dir("out");
        var links = temp.Dir("links");
        var caps = Tools().AllowPath(writable, AccessMode.ReadWrite).AllowPath(links, AccessMode.ReadWrite | AccessMode.CreateSymlink);

        var no = Run(caps, "/bin/ln", "-s", "/etc/passwd", Path.Combine(writable, "link"));
        Assert.NotEqual(0, no.ExitCode);
        Assert.Contains("Operation not permitted", no.Error);
        var ok = Run(caps, "/bin/ln", "-s", "/etc/passwd", Path.Combine(links, "link"));
        Assert.True(ok.ExitCode == 0, ok.Error);
    }

    [Fact]
    public void AProgramOutsideTheExecuteGrants_DoesNotRun()
    {
        RequireSeatbelt();
        var result = Run(Tools(), "/usr/bin/true");
        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void NetworkBlocked_RefusesLocalhost_ProxyOnly_AllowsOnlyTheProxyPort()
    {
        RequireSeatbelt();
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        using var other = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        other.Start();
        var proxyPort = ((IPEndPoint)proxy.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var otherPort = ((IPEndPoint)other.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nc = new CapabilitySet().AllowFile("/usr/bin/nc", AccessMode.Read | AccessMode.Execute);

        var blocked = Run(nc.Clone(), "/usr/bin/nc", "-z", "-w", "5", "127.0.0.1", proxyPort);
        Assert.NotEqual(0, blocked.ExitCode);

        var proxyOnly = nc.Clone().SetNetworkMode(NetworkMode.ProxyOnly).AllowTcpConnect(int.Parse(proxyPort, System.Globalization.CultureInfo.InvariantCulture));
        var toProxy = Run(proxyOnly, "/usr/bin/nc", "-z", "-w", "5", "127.0.0.1", proxyPort);
        Assert.True(toProxy.ExitCode == 0, toProxy.Error);
        var toOther = Run(proxyOnly, "/usr/bin/nc", "-z", "-w", "5", "127.0.0.1", otherPort);
        Assert.NotEqual(0, toOther.ExitCode);

        var open = Run(nc.Clone().SetNetworkMode(NetworkMode.AllowAll), "/usr/bin/nc", "-z", "-w", "5", "127.0.0.1", otherPort);
        Assert.True(open.ExitCode == 0, open.Error);
    }

    [Fact]
    public void Apply_RestrictsThisProcess_AndItsChildren()
    {
        RequireSeatbelt();
        var allowed = temp.File("allowed/ok.txt", "ok");
        var denied = temp.File("denied/secret.txt", "secret");

        var (exitCode, output) = MacChild.Run(MacChild.Apply, allowed, denied);

        Assert.True(exitCode == 0, output);
        Assert.Contains("allowed-read: ok", output);
        Assert.Contains("main-thread: denied", output);
        Assert.Contains("threadpool: denied", output);
        Assert.Contains("child-process: exit 1", output);
    }

    [Fact]
    public void Apply_InsideSandboxExec_IsNestedSandbox()
    {
        RequireSeatbelt();
        var allowed = temp.File("allowed/ok.txt", "ok");

        var (exitCode, output) = MacChild.Run(MacChild.Nested, allowed, allowed, underSandboxExec: true);

        Assert.True(exitCode == 0, output);
        Assert.Contains("supported: False", output);
        Assert.Contains("apply: NestedSandbox", output);
        Assert.Contains("start: NestedSandbox", output);
    }

    [Fact]
    public void Prepare_IsLandlockOnly_AndSaysSo()
    {
        RequireSeatbelt();
        var e = Assert.Throws<NonoException>(() => Sandbox.Prepare(Tools()));
        Assert.Equal(NonoErrorKind.UnsupportedPlatform, e.Kind);
    }
}

/// <summary>The test host started again as a child (Program.cs), for what cannot be undone: Sandbox.Apply.</summary>
internal static class MacChild
{
    public const string Switch = "NONO_TEST_MAC_CHILD";
    public const string Apply = "apply";
    public const string Nested = "nested";

    public static (int ExitCode, string Output) Run(string mode, string allowed, string denied, bool underSandboxExec = false)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var psi = new ProcessStartInfo(underSandboxExec ? "/usr/bin/sandbox-exec" : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (underSandboxExec)
        {
            psi.ArgumentList.Add("-p");
            psi.ArgumentList.Add("(version 1)(allow default)");
            psi.ArgumentList.Add(dotnet);
        }
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(MacChild).Assembly.Location);
        psi.Environment[Switch] = mode;
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

    public static int RunChild(string mode)
    {
        try
        {
            var allowed = Environment.GetEnvironmentVariable("NONO_TEST_ALLOWED")!;
            var denied = Environment.GetEnvironmentVariable("NONO_TEST_DENIED")!;
            if (mode == Nested)
                RunNested(allowed);
            else
                RunApply(allowed, denied);
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

    private static CapabilitySet Runtime(string allowed)
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return new CapabilitySet()
            .AllowPath("/bin", AccessMode.Read | AccessMode.Execute)
            .AllowPath(Path.GetFullPath(Path.Combine(runtime, "../../..")), AccessMode.Read | AccessMode.Execute)
            .AllowPath(AppContext.BaseDirectory, AccessMode.Read | AccessMode.Execute)
            .AllowPath(Path.GetDirectoryName(allowed)!, AccessMode.Read);
    }

    private static void RunApply(string allowed, string denied)
    {
        // Warm up what the checks below use, so only the sandbox decides their outcome.
        _ = TryRead(allowed);
        _ = Task.Run(() => 0).Result;
        Sandbox.Apply(Runtime(allowed));

        Console.WriteLine($"allowed-read: {TryRead(allowed)}");
        Console.WriteLine($"main-thread: {TryRead(denied)}");
        Console.WriteLine($"threadpool: {Task.Run(() => TryRead(denied)).Result}");
        using var cat = Process.Start(new ProcessStartInfo("/bin/cat", denied) { RedirectStandardError = true })!;
        cat.StandardError.ReadToEnd();
        cat.WaitForExit();
        Console.WriteLine($"child-process: exit {cat.ExitCode}");
    }

    private static void RunNested(string allowed)
    {
        Console.WriteLine($"supported: {Sandbox.Support.IsSupported}");
        Console.WriteLine($"apply: {Kind(() => Sandbox.Apply(Runtime(allowed)))}");
        Console.WriteLine($"start: {Kind(() => SandboxedProcess.Start(Runtime(allowed), new ProcessStartInfo("/bin/cat", allowed)).Dispose())}");
    }

    private static string Kind(Action action)
    {
        try
        {
            action();
            return "no error";
        }
        catch (NonoException e)
        {
            return e.Kind.ToString();
        }
    }
}
