using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Nono.Launcher.Tests;

/// <summary>Unix sockets (seccomp + Landlock's abstract-socket scope) and signals (Landlock's signal scope).</summary>
public sealed class UnixSocketAndSignalTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    private const string ConnectUnix = Launcher.PythonPrelude + """

        def connect():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(sys.argv[1])
            s.close()
        attempt("connect", connect)
        """;

    private static Socket Listen(UnixDomainSocketEndPoint endpoint, SocketType type = SocketType.Stream)
    {
        var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        socket.Bind(endpoint);
        if (type == SocketType.Stream)
            socket.Listen();
        return socket;
    }

    /// <summary>Whether a connection (or datagram) is waiting, without blocking.</summary>
    private static bool Waiting(Socket socket) => socket.Poll(0, SelectMode.SelectRead);

    [Fact]
    public void UnixConnect_ToPathnameSocketOutside_DeniedByDefault_AllowedWithAllowUnix()
    {
        Landlock.Require();
        var path = temp["listener.sock"];
        using var listener = Listen(new UnixDomainSocketEndPoint(path));

        // The directory is readable either way: only --allow-unix differs.
        var denied = Launcher.Python(["--ro", temp.Path], ConnectUnix, path);
        Assert.Contains("connect EACCES", denied.StdOut);
        Assert.False(Waiting(listener), "a denied connect must not reach the listener");

        var allowed = Launcher.Python(["--ro", temp.Path, "--allow-unix"], ConnectUnix, path);
        Assert.True(allowed.StdOut.Contains("connect ok"), allowed.ToString());
        Assert.True(Waiting(listener), "the allowed connect must reach the listener");
    }

    [Fact]
    public void DatagramSocketpair_CannotSendToPathnameSocketOutside()
    {
        // socketpair() gives an unbound AF_UNIX socket without socket(); a datagram one can
        // still sendto() any pathname socket (Landlock ABI <= 7 does not mediate that).
        Landlock.Require();
        var path = temp["dgram.sock"];
        using var listener = Listen(new UnixDomainSocketEndPoint(path), SocketType.Dgram);
        const string send = Launcher.PythonPrelude + """

            def send():
                a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
                a.sendto(b"escaped", sys.argv[1])
            attempt("sendto", send)
            """;

        var r = Launcher.Python(["--ro", temp.Path], send, path);

        Assert.DoesNotContain("sendto ok", r.StdOut);
        Assert.Contains("sendto E", r.StdOut);
        Assert.False(Waiting(listener), "no datagram may reach the socket outside");
    }

    [Fact]
    public void Socketpair_WorksByDefault()
    {
        Landlock.Require();
        const string pair = Launcher.PythonPrelude + """

            def pair():
                a, b = socket.socketpair()
                a.sendall(b"ping")
                assert b.recv(4) == b"ping"
            attempt("socketpair", pair)
            """;

        var r = Launcher.Python([], pair);

        Assert.True(r.StdOut.Contains("socketpair ok"), r.ToString());
    }

    [Fact]
    public void AbstractUnixConnect_ToListenerOutside_IsDenied()
    {
        Landlock.Require(6);
        var name = "\0nono-launcher-tests-" + Guid.NewGuid().ToString("N");
        using var listener = Listen(new UnixDomainSocketEndPoint(name));
        const string connect = Launcher.PythonPrelude + """

            def connect():
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(5)
                s.connect("\0" + sys.argv[1])
            def send():
                a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
                a.sendto(b"escaped", "\0" + sys.argv[1])
            attempt("connect", connect)
            attempt("sendto", send)
            """;

        var r = Launcher.Python([], connect, name[1..]);

        Assert.True(r.StdOut.Contains("connect E"), r.ToString());
        Assert.DoesNotContain("connect ok", r.StdOut);
        Assert.DoesNotContain("sendto ok", r.StdOut);
        Assert.False(Waiting(listener), "a denied connect must not reach the listener");

        // Control: the listener is reachable once Unix sockets are allowed.
        var allowed = Launcher.Python(["--allow-unix"], connect, name[1..]);
        Assert.True(allowed.StdOut.Contains("connect ok"), allowed.ToString());
        Assert.True(Waiting(listener));
    }

    [Fact]
    public void Signal_ToProcessOutside_IsDenied()
    {
        Landlock.Require(6);
        using var outside = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            var pid = outside.Id.ToString(CultureInfo.InvariantCulture);
            var r = Launcher.Sh([],
                """
                kill -0 "$1"; echo "probe=$?"
                kill "$1"; echo "kill=$?"
                sleep 5 & inner=$!
                kill "$inner"; echo "inner=$?"
                """, pid);

            Assert.Contains("probe=1", r.StdOut);
            Assert.Contains("kill=1", r.StdOut);
            Assert.Contains("Operation not permitted", r.StdErr);
            Assert.Contains("inner=0", r.StdOut); // signals inside the sandbox still work
            Assert.False(outside.WaitForExit(100), "the process outside must still be alive");
        }
        finally
        {
            outside.Kill();
            outside.WaitForExit();
        }
    }
}
