using System.Net;
using System.Net.Sockets;

namespace Nono.Launcher.Tests;

/// <summary>
/// --unix-own: the supervisor makes every connect() of the command (seccomp user notification).
/// A listener of the command's own is reached; one outside the sandbox (this test process: the
/// stand-in for docker.sock, D-Bus, or an MSBuild node or compiler server an earlier plain build
/// left running) is not, by its path, through a symlink, or over loopback TCP. As root and as an
/// unprivileged user; each refusal has a control that shows the same connect works unsandboxed.
/// </summary>
public sealed class MediatedConnectTests : IDisposable
{
    private readonly TempDir temp = new();

    public MediatedConnectTests() => File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_111_111);

    public void Dispose() => temp.Dispose();

    /// <summary>argv: own-socket-path, outside-socket-path, symlink-path, outside-tcp-port [, secret-file]. Prints one line per attempt.</summary>
    private const string Probe = Launcher.PythonPrelude + """

        import os, threading
        own_path, outside_path, link_path, outside_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        def serve(server):
            while True:
                c, _ = server.accept()
                c.sendall(b"own")
                c.close()
        own = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        own.bind(own_path)
        own.listen(4)
        threading.Thread(target=serve, args=(own,), daemon=True).start()
        tcp = socket.socket()
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(4)
        threading.Thread(target=serve, args=(tcp,), daemon=True).start()
        def unix(path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(path)
            s.close()
        def inet(port):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.close()
        def dual_stack(port):
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(("::ffff:127.0.0.1", port))
            s.close()
        def abstract():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect("\0nono-test-abstract")
        attempt("own-unix", lambda: unix(own_path))
        attempt("outside-unix", lambda: unix(outside_path))
        try:
            os.symlink(outside_path, link_path)
        except OSError:
            pass
        attempt("symlink-to-outside", lambda: unix(link_path))
        attempt("own-tcp", lambda: inet(tcp.getsockname()[1]))
        attempt("outside-tcp", lambda: inet(outside_port))
        attempt("outside-tcp-dual-stack", lambda: dual_stack(outside_port))
        attempt("abstract", abstract)
        attempt("unix-datagram", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
        if len(sys.argv) > 5:
            attempt("secret-read", lambda: open(sys.argv[5]).read())
        """;

    private sealed record Outside(Socket Unix, string UnixPath, Socket Tcp, int TcpPort) : IDisposable
    {
        public void Dispose()
        {
            Unix.Dispose();
            Tcp.Dispose();
        }

        /// <summary>Whether a connection reached the listener outside (and takes it).</summary>
        public bool Reached()
        {
            var reached = false;
            foreach (var listener in new[] { Unix, Tcp })
            {
                while (listener.Poll(0, SelectMode.SelectRead))
                {
                    reached = true;
                    listener.Accept().Dispose();
                }
            }
            return reached;
        }
    }

    private Outside ListenOutside()
    {
        var path = temp["outside.sock"];
        var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        unix.Bind(new UnixDomainSocketEndPoint(path));
        unix.Listen();
        File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110); // connectable by any user: the refusal is the sandbox's
        var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tcp.Listen();
        return new Outside(unix, path, tcp, ((IPEndPoint)tcp.LocalEndPoint!).Port);
    }

    private Launcher.Result RunProbe(string user, string[] launcherOptions, Outside outside, string name, string? secret = null)
    {
        var linkDirectory = temp.Dir(name);
        File.SetUnixFileMode(linkDirectory, (UnixFileMode)0b111_111_111);
        string[] command = [Launcher.PythonPath, "-c", Probe, temp[$"{name}-own.sock"], outside.UnixPath, linkDirectory + "/link", outside.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. secret is null ? Array.Empty<string>() : [secret]];
        string[] run = launcherOptions.Length == 0 ? command
            : [Launcher.Path, .. Launcher.System, "--ro", "/proc", "--rw", temp.Path, "--symlinks", temp.Path, "--sockets", temp.Path, .. launcherOptions, "--", .. command];
        return Launcher.RunAs(user, run);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("nobody")]
    public void UnixOwn_ReachesTheCommandsOwnListeners_AndNothingOutside(string user)
    {
        Landlock.Require(6);
        if (user != "root")
            Nono.Testing.Root.Require("to run the command as another user (setpriv)");
        using var outside = ListenOutside();

        var plain = RunProbe(user, [], outside, "plain");
        Assert.True(plain.StdOut.Contains("outside-unix ok"), $"control: unsandboxed, the outside socket is reachable: {plain}");
        Assert.True(plain.StdOut.Contains("outside-tcp ok"), $"control: unsandboxed, the outside port is reachable: {plain}");
        Assert.True(plain.StdOut.Contains("symlink-to-outside ok"), plain.ToString());
        outside.Reached();

        var sandboxed = RunProbe(user, ["--bind-tcp", "0", "--unix-own"], outside, "sandboxed");

        Assert.True(sandboxed.ExitCode == 0, sandboxed.ToString());
        foreach (var ok in new[] { "own-unix ok", "own-tcp ok" })
            Assert.True(sandboxed.StdOut.Contains(ok), $"{ok}: {sandboxed}");
        foreach (var refused in new[] { "outside-unix EACCES", "symlink-to-outside EACCES", "outside-tcp EACCES", "outside-tcp-dual-stack EACCES", "abstract EACCES", "unix-datagram EACCES" })
            Assert.True(sandboxed.StdOut.Contains(refused), $"{refused}: {sandboxed}");
        Assert.False(outside.Reached(), "no connection may reach a listener outside the sandbox, not even a probe");
    }

    [Fact]
    public void UnixConnect_NamesAnOutsideSocketThatMayBeReached()
    {
        Landlock.Require(6);
        using var outside = ListenOutside();

        var r = RunProbe("root", ["--bind-tcp", "0", "--unix-own", "--unix-connect", outside.UnixPath], outside, "named");

        Assert.True(r.StdOut.Contains("outside-unix ok"), r.ToString());
        Assert.True(r.StdOut.Contains("outside-tcp EACCES"), r.ToString());
        // The link lives in a folder the command writes: it names another path, so it is refused
        // only if its target were not the named socket; here it is the named socket itself.
        Assert.True(r.StdOut.Contains("symlink-to-outside ok"), r.ToString());
    }

    [Fact]
    public void ConnectTcpAddress_AllowsThatAddressAndPortOnly()
    {
        Landlock.Require(6);
        using var outside = ListenOutside();

        var r = RunProbe("root", ["--bind-tcp", "0", "--connect-tcp-addr", $"127.0.0.1:{outside.TcpPort}"], outside, "tcpaddr");

        Assert.True(r.StdOut.Contains("outside-tcp ok"), r.ToString());
        Assert.True(r.StdOut.Contains("outside-tcp-dual-stack ok"), "a dual-stack socket names 127.0.0.1 as ::ffff:127.0.0.1 (.NET's sockets do): " + r);
        Assert.True(r.StdOut.Contains("outside-unix EACCES"), r.ToString());
    }

    /// <summary>The report's lines as (op, target, exe, command line), tab-separated fields as nono-exec writes them.</summary>
    private static List<(string Op, string Target, string Exe, string Command)> ReadReport(string path) =>
        File.ReadAllLines(path).Select(l => l.Split('\t')).Select(f => (f[0], f[1], f[3], f[6])).ToList();

    /// <summary>A file outside every grant of <see cref="RunProbe"/>.</summary>
    private static string SecretOutside(TempDir elsewhere) => elsewhere.File("secret.txt", "secret");

    [Theory]
    [InlineData("root")]
    [InlineData("nobody")]
    public void UnixOwn_WithDenialRecording_RecordsADeniedRead_AndTheRefusedConnections_AndStillRefusesThem(string user)
    {
        Landlock.Require(6);
        if (user != "root")
            Nono.Testing.Root.Require("to run the command as another user (setpriv)");
        using var outside = ListenOutside();
        using var elsewhere = new TempDir();
        File.SetUnixFileMode(elsewhere.Path, (UnixFileMode)0b111_111_111);
        var secret = SecretOutside(elsewhere);
        File.SetUnixFileMode(secret, (UnixFileMode)0b110_110_110); // readable by any user: the refusal is the sandbox's
        var report = temp[$"report-{user}.tsv"];

        var r = RunProbe(user, ["--bind-tcp", "0", "--unix-own", "--report", report], outside, $"recorded-{user}", secret);

        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var ok in new[] { "own-unix ok", "own-tcp ok" })
            Assert.True(r.StdOut.Contains(ok), $"{ok}: {r}");
        foreach (var refused in new[] { "outside-unix EACCES", "symlink-to-outside EACCES", "outside-tcp EACCES", "abstract EACCES", "unix-datagram EACCES", "secret-read EACCES" })
            Assert.True(r.StdOut.Contains(refused), $"{refused}: {r}");
        Assert.False(outside.Reached(), "recording changes nothing of the mediation: no connection reaches a listener outside");

        var denials = ReadReport(report);
        var text = string.Join("\n", denials);
        Assert.Contains(denials, d => d.Op == "read" && d.Target == elsewhere["secret.txt"] && d.Exe.Contains("python", StringComparison.Ordinal));
        // The supervisor's refusals, in the same report, with the caller's program: the socket's
        // real path (the symlink leads to the same one, written once), the address, the socket type.
        Assert.Contains(denials, d => d.Op == "connect" && d.Target == outside.UnixPath && d.Exe.Contains("python", StringComparison.Ordinal)
            && d.Command.StartsWith(Launcher.PythonPath + " -c ", StringComparison.Ordinal));
        Assert.Single(denials, d => d.Op == "connect" && d.Target == outside.UnixPath);
        Assert.Contains(denials, d => d.Op == "connect" && d.Target == $"127.0.0.1:{outside.TcpPort}");
        Assert.Contains(denials, d => d.Op == "connect" && d.Target == "@nono-test-abstract");
        Assert.Contains(denials, d => d.Op == "socket" && d.Target.StartsWith("AF_UNIX SOCK_DGRAM", StringComparison.Ordinal));
        // What the command was allowed to reach is not a denial, nor is anything the supervisor did itself.
        Assert.DoesNotContain(denials, d => d.Target.EndsWith($"recorded-{user}-own.sock", StringComparison.Ordinal));
        Assert.DoesNotContain(denials, d => d.Target.StartsWith("/proc", StringComparison.Ordinal));
        Assert.DoesNotContain(denials, d => d.Exe == Launcher.Path);
    }

    [Fact]
    public void UnixOwn_WithAudit_LetsEveryConnectionThrough_AndRecordsTheOnesItWouldRefuse()
    {
        Landlock.Require(6);
        using var outside = ListenOutside();
        using var elsewhere = new TempDir();
        var report = temp["audit.tsv"];

        var r = RunProbe("root", ["--bind-tcp", "0", "--unix-own", "--audit", "--report", report], outside, "audited", SecretOutside(elsewhere));

        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var ok in new[] { "own-unix ok", "own-tcp ok", "outside-unix ok", "outside-tcp ok", "secret-read ok", "unix-datagram ok" })
            Assert.True(r.StdOut.Contains(ok), $"{ok}: {r}");
        Assert.True(outside.Reached(), "audit enforces nothing: the outside listener was reached");

        var denials = ReadReport(report);
        Assert.Contains(denials, d => d.Op == "read" && d.Target == elsewhere["secret.txt"]);
        Assert.Contains(denials, d => d.Op == "connect" && d.Target == outside.UnixPath);
        Assert.Contains(denials, d => d.Op == "connect" && d.Target == $"127.0.0.1:{outside.TcpPort}");
        Assert.DoesNotContain(denials, d => d.Target.EndsWith("audited-own.sock", StringComparison.Ordinal));
        Assert.DoesNotContain(denials, d => d.Target.StartsWith("/proc", StringComparison.Ordinal));
    }
}
