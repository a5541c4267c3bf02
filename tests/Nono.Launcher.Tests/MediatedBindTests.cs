namespace Nono.Launcher.Tests;

/// <summary>
/// --unix-own: the supervisor makes every bind() of the command too. A name --unix-bind gives
/// (MSBuild's /tmp/MSBuild&lt;pid&gt;, the compiler server's pipe) is bound outside the sandbox,
/// for the process whose pid it carries only; any other name in that shared folder, where an
/// unsandboxed client could take the command's socket for its server's, is refused, as is every
/// abstract name; the rest is checked by the kernel in the command's own Landlock domain
/// (--sockets, --bind-tcp). As root and as an unprivileged user, each with an unsandboxed control.
/// </summary>
public sealed class MediatedBindTests : IDisposable
{
    private readonly TempDir temp = new();

    public MediatedBindTests() => File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_111_111);

    public void Dispose() => temp.Dispose();

    /// <summary>argv: shared folder (the stand-in for /tmp), private folder. Prints one line per attempt.</summary>
    private const string Probe = Launcher.PythonPrelude + """

        import os
        shared, private = sys.argv[1], sys.argv[2]
        def bind(family, address):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.bind(address)
            s.listen(1)
        attempt("named", lambda: bind(socket.AF_UNIX, shared + "/pipe"))
        attempt("own-pid", lambda: bind(socket.AF_UNIX, shared + "/MSBuild" + str(os.getpid())))
        attempt("other-pid", lambda: bind(socket.AF_UNIX, shared + "/MSBuild1"))
        attempt("other-name", lambda: bind(socket.AF_UNIX, shared + "/server"))
        import uuid
        attempt("guid", lambda: bind(socket.AF_UNIX, shared + "/" + uuid.uuid4().hex))
        attempt("not-guid", lambda: bind(socket.AF_UNIX, shared + "/" + uuid.uuid4().hex[:31] + "g"))
        attempt("guid-upper", lambda: bind(socket.AF_UNIX, shared + "/" + uuid.uuid4().hex.upper()))
        attempt("guid-longer", lambda: bind(socket.AF_UNIX, shared + "/" + uuid.uuid4().hex + "0"))
        attempt("not-random", lambda: bind(socket.AF_UNIX, shared + "/" + "0" * 32))
        attempt("private", lambda: bind(socket.AF_UNIX, private + "/diagnostics"))
        attempt("abstract", lambda: bind(socket.AF_UNIX, "\0nono-test-bind"))
        os.chdir(private)
        attempt("relative", lambda: bind(socket.AF_UNIX, "relative"))
        attempt("tcp-ephemeral", lambda: bind(socket.AF_INET, ("127.0.0.1", 0)))
        attempt("tcp-fixed", lambda: bind(socket.AF_INET, ("127.0.0.1", 47123)))
        """;

    private Launcher.Result RunProbe(string user, bool sandboxed, string name, string? report = null, bool audit = false)
    {
        var shared = temp.Dir($"{name}-shared");
        var privateDir = temp.Dir($"{name}-private");
        foreach (var dir in new[] { shared, privateDir })
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        string[] command = [Launcher.PythonPath, "-c", Probe, shared, privateDir];
        string[] run = !sandboxed ? command
            : [Launcher.Path, .. Launcher.System, "--ro", "/proc", "--rw", temp.Path, "--sockets", privateDir, "--bind-tcp", "0",
               "--unix-own", "--unix-bind", shared + "/pipe", "--unix-bind", shared + "/MSBuild%p", "--unix-bind", shared + "/%g",
               .. report is null ? Array.Empty<string>() : ["--report", report], .. audit ? ["--audit"] : Array.Empty<string>(), "--", .. command];
        return Launcher.RunAs(user, run);
    }

    /// <summary>The report's lines as (op, target).</summary>
    private static List<(string Op, string Target)> Denials(string report) =>
        File.ReadAllLines(report).Select(l => l.Split('\t')).Select(f => (f[0], f[1])).ToList();

    [Theory]
    [InlineData("root")]
    [InlineData("nobody")]
    public void UnixOwn_BindsTheNamesItIsGiven_ForTheirOwnProcess_AndRefusesOtherSharedAndAbstractNames(string user)
    {
        Landlock.Require(6);
        if (user != "root")
            Nono.Testing.Root.Require("to run the command as another user (setpriv)");

        var plain = RunProbe(user, sandboxed: false, $"plain-{user}");
        foreach (var ok in new[] { "named ok", "own-pid ok", "other-pid ok", "other-name ok", "guid ok", "not-guid ok", "guid-upper ok", "guid-longer ok", "not-random ok", "private ok", "abstract ok", "relative ok", "tcp-ephemeral ok" })
            Assert.True(plain.StdOut.Contains(ok), $"control: unsandboxed, {ok}: {plain}");

        var report = temp[$"report-{user}.tsv"];
        var r = RunProbe(user, sandboxed: true, $"sandboxed-{user}", report);

        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var ok in new[] { "named ok", "own-pid ok", "guid ok", "private ok", "tcp-ephemeral ok" })
            Assert.True(r.StdOut.Contains(ok), $"{ok}: {r}");
        foreach (var refused in new[] { "other-pid EACCES", "other-name EACCES", "not-guid EACCES", "guid-upper EACCES", "guid-longer EACCES", "not-random EACCES", "abstract EACCES", "relative EACCES", "tcp-fixed EACCES" })
            Assert.True(r.StdOut.Contains(refused), $"{refused}: {r}");
        Assert.False(File.Exists(temp[$"sandboxed-{user}-shared/server"]), "a refused name leaves no socket file behind");
        Assert.False(File.Exists(temp[$"sandboxed-{user}-shared/MSBuild1"]), "nor does another process's pid");
        Assert.False(File.Exists(temp[$"sandboxed-{user}-shared/{new string('0', 32)}"]), "nor a name of 32 digits that no random GUID has");
        // Reported as the recorder reports a refused socket file (create PATH), an abstract name and a port.
        var denials = Denials(report);
        Assert.Contains(("create", temp[$"sandboxed-{user}-shared/server"]), denials);
        Assert.Contains(("bind", "@nono-test-bind"), denials);
        Assert.Contains(("bind", "127.0.0.1:47123"), denials);
    }

    [Fact]
    public void UnixOwn_WithAudit_LetsEveryBindThrough_AndReportsTheOnesItWouldRefuse()
    {
        Landlock.Require(6);
        var report = temp["audit.tsv"];

        var r = RunProbe("root", sandboxed: true, "audited", report, audit: true);

        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var ok in new[] { "named ok", "own-pid ok", "other-pid ok", "other-name ok", "private ok", "abstract ok", "tcp-fixed ok" })
            Assert.True(r.StdOut.Contains(ok), $"{ok}: {r}");
        var denials = Denials(report);
        Assert.Contains(("create", temp["audited-shared/server"]), denials);
        Assert.Contains(("bind", "@nono-test-bind"), denials);
        Assert.Contains(("bind", "127.0.0.1:47123"), denials);
        Assert.DoesNotContain(("create", temp["audited-shared/pipe"]), denials);
        Assert.DoesNotContain(("create", temp["audited-private/diagnostics"]), denials);
    }

    [Fact]
    public void ASandboxNestedInUnixOwn_KeepsItsOwnRefusals_ThatTheOuterSupervisorWouldAllow()
    {
        Landlock.Require(6);
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen();
        var port = ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const string probe = Launcher.PythonPrelude + """

            port = int(sys.argv[1])
            def tcp_bind():
                socket.socket().bind(("127.0.0.1", 0))
            def tcp_connect():
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            attempt("tcp-bind", tcp_bind)
            attempt("tcp-connect", tcp_connect)
            """;
        // The outer sandbox lets its command bind an ephemeral port and reach the listener; an Exec
        // step's own nono-exec inside it allows neither.
        string[] outer = [.. Launcher.System, "--ro", "/proc", "--rox", Path.GetDirectoryName(Launcher.Path)!, "--bind-tcp", "0", "--connect-tcp-addr", $"127.0.0.1:{port}", "--"];
        string[] python = [Launcher.PythonPath, "-c", probe, port];

        var alone = Launcher.RunProcess(Launcher.Path, [.. outer, .. python]);
        Assert.True(alone.StdOut.Contains("tcp-bind ok") && alone.StdOut.Contains("tcp-connect ok"), $"control: the outer sandbox alone allows both: {alone}");

        var nested = Launcher.RunProcess(Launcher.Path, [.. outer, Launcher.Path, .. Launcher.System, "--", .. python]);

        Assert.True(nested.ExitCode == 0, nested.ToString());
        Assert.True(nested.StdOut.Contains("tcp-bind EACCES"), nested.ToString());
        Assert.True(nested.StdOut.Contains("tcp-connect EACCES"), nested.ToString());
    }

    [Fact]
    public void UnixOwn_DecidesOnItsOwnCopyOfTheAddress_SoSwappingItForAnAbstractNameDuringTheCallBindsNothing()
    {
        Landlock.Require(6);
        var privateDir = temp.Dir("race-private");
        // One thread binds a buffer that names a file in the private folder (allowed); another flips
        // the buffer to an abstract name and back, so some binds find the abstract name in it when
        // the kernel reads it. None may end up bound to an abstract name.
        const string race = """
            import ctypes, os, socket, sys, threading
            libc = ctypes.CDLL(None, use_errno=True)
            path = (sys.argv[1] + "/s").encode()
            addr = ctypes.create_string_buffer(2 + 108)
            addr[0:2] = socket.AF_UNIX.to_bytes(2, sys.byteorder)
            addr[2:2 + len(path)] = path
            stop = False
            def flip():
                while not stop:
                    addr[2] = b"\0"
                    addr[2] = path[0:1]
            threading.Thread(target=flip, daemon=True).start()
            abstract = 0
            for i in range(2000):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                if libc.bind(s.fileno(), addr, 2 + len(path) + 1) == 0:
                    name = s.getsockname()
                    if isinstance(name, bytes) and name.startswith(b"\0") or isinstance(name, str) and name.startswith("\0"):
                        abstract += 1
                    else:
                        os.unlink(path)
                s.close()
            stop = True
            print("abstract", abstract)
            """;

        var r = Launcher.Python(["--ro", "/proc", "--rw", privateDir, "--sockets", privateDir, "--unix-own"], race, privateDir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(r.StdOut.Contains("abstract 0"), r.ToString());
    }
}
