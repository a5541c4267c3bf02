using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Nono.Launcher.Tests;

/// <summary>Ways around Landlock that the seccomp filter closes.</summary>
public class SeccompHardeningTests
{
    [Fact]
    public void TerminalInjection_IsRefused()
    {
        Landlock.Require();
        const string script = """
            import fcntl, termios, sys
            try:
                fcntl.ioctl(0, termios.TIOCSTI, b"x")
                print("injected")
            except OSError as e:
                print(f"errno={e.errno}")
            """;
        // Without the sandbox a non-terminal stdin answers ENOTTY (25); the filter answers EPERM first.
        Assert.Contains("errno=1", Launcher.Python([], script).StdOut);
        Assert.Contains("errno=1", Launcher.Python(["--net", "all", "--allow-unix"], script).StdOut);
    }

    [Fact]
    public void TcpFastOpen_DoesNotGetRoundTheConnectRule()
    {
        Landlock.Require(4);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        const string script = """
            import socket, sys
            s = socket.socket()
            try:
                s.sendto(b"exfiltrated", socket.MSG_FASTOPEN, ("127.0.0.1", int(sys.argv[1])))
                print("sent")
            except OSError as e:
                print(f"errno={e.errno}")
            """;

        var r = Launcher.Python([], script, port);

        Assert.Contains("errno=13", r.StdOut);
        Assert.False(listener.Pending(), "a connection reached the listener outside");
    }

    [Fact]
    public void ListenWithoutBind_CannotOpenAnEphemeralPort()
    {
        Landlock.Require(4);
        const string script = """
            import socket
            s = socket.socket()
            try:
                s.listen()
                print("listening", s.getsockname())
            except OSError as e:
                print(f"errno={e.errno}")
            """;
        Assert.Contains("errno=13", Launcher.Python([], script).StdOut);
        Assert.Contains("listening", Launcher.Python(["--net", "all"], script).StdOut);
    }
}
