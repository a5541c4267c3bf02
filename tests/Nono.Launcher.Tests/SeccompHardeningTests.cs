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

    /// <summary>
    /// Keyrings and IPC objects are named by keys and ids, not paths, so Landlock cannot see them:
    /// a secret another process of the user keeps there is refused (EPERM) whatever the options.
    /// </summary>
    [Fact]
    public void KeyringsAndIpc_OfTheUsersOtherProcesses_AreRefused()
    {
        Landlock.Require();
        const string script = """
            import ctypes, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            calls = [
                ("keyctl", (0, -4, 0)),                  # KEYCTL_GET_KEYRING_ID of the user keyring
                ("add_key", (b"user", b"k", b"v", 1, -4)),
                ("shmget", (0x4E4F4E4F, 4096, 0o600)),
                ("msgget", (0x4E4F4E4F, 0o600)),
                ("semget", (0x4E4F4E4F, 1, 0o600)),
                ("mq_open", (b"nono-test", 0, 0, None)),
            ]
            for (name, args), nr in zip(calls, sys.argv[1:]):
                rc = libc.syscall(int(nr), *args)
                print(name, "ok" if rc >= 0 else os.strerror(ctypes.get_errno()))
            """;
        string[] numbers = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64
            ? ["219", "217", "194", "186", "190", "180"]
            : ["250", "248", "29", "68", "64", "240"];
        var expected = string.Concat(new[] { "keyctl", "add_key", "shmget", "msgget", "semget", "mq_open" }.Select(n => $"{n} Operation not permitted\n"));

        Assert.Equal(expected, Launcher.Python([], script, numbers).StdOut);
        Assert.Equal(expected, Launcher.Python(["--net", "all", "--allow-unix"], script, numbers).StdOut);
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
