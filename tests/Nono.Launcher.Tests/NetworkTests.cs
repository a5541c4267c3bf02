using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Nono.Launcher.Tests;

/// <summary>
/// Network: TCP ports through Landlock (ABI 4), every other family through seccomp. The
/// sandboxed client is python3; the other end is a socket this test owns, on an ephemeral port.
/// </summary>
public sealed class NetworkTests
{
    private const string Connect = Launcher.PythonPrelude + """

        def connect():
            with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5):
                pass
        attempt("connect", connect)
        """;

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void TcpConnect_DeniedByDefault_AllowedWithConnectTcp(string address)
    {
        Landlock.Require(4);
        var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        try
        {
            var port = Port(((IPEndPoint)listener.LocalEndpoint).Port);

            var denied = Launcher.Python([], Connect, address, port);
            Assert.Contains("connect EACCES", denied.StdOut);
            Assert.False(listener.Pending(), "a denied connect must not reach the listener");

            var allowed = Launcher.Python(["--connect-tcp", port], Connect, address, port);
            Assert.True(allowed.StdOut.Contains("connect ok"), allowed.ToString());
            Assert.True(listener.Pending(), "the allowed connect must reach the listener");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void TcpConnect_WithNetAll_IsAllowed()
    {
        Landlock.Require(4);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = Port(((IPEndPoint)listener.LocalEndpoint).Port);
            var r = Launcher.Python(["--net", "all"], Connect, "127.0.0.1", port);
            Assert.True(r.StdOut.Contains("connect ok"), r.ToString());
            Assert.True(listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void BindTcp_AllowsThatPort_DeniesAnother()
    {
        Landlock.Require(4);
        var port = FreeTcpPort();
        var other = port == 65535 ? port - 1 : port + 1;
        const string bind = Launcher.PythonPrelude + """

            def bind(port):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
                s.listen()
                s.close()
            attempt("bind-allowed", lambda: bind(int(sys.argv[1])))
            attempt("bind-other", lambda: bind(int(sys.argv[2])))
            """;

        var r = Launcher.Python(["--bind-tcp", Port(port)], bind, Port(port), Port(other));

        Assert.True(r.StdOut.Contains("bind-allowed ok"), r.ToString());
        Assert.Contains("bind-other EACCES", r.StdOut);
    }

    [Fact]
    public async Task UdpSend_IsDeniedByDefault()
    {
        Landlock.Require();
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = Port(((IPEndPoint)receiver.Client.LocalEndPoint!).Port);
        const string send = Launcher.PythonPrelude + """

            def send():
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.sendto(b"hello", ("127.0.0.1", int(sys.argv[1])))
            attempt("udp", send)
            """;

        var denied = Launcher.Python([], send, port);
        Assert.Contains("udp EACCES", denied.StdOut);
        Assert.Null(await ReceiveWithin(receiver, TimeSpan.FromMilliseconds(300)));

        // The same sender under --net all reaches the receiver: the denial above was the sandbox.
        var allowed = Launcher.Python(["--net", "all"], send, port);
        Assert.True(allowed.StdOut.Contains("udp ok"), allowed.ToString());
        Assert.Equal("hello"u8.ToArray(), await ReceiveWithin(receiver, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Mptcp_Raw_And_Icmp_Sockets_AreDenied()
    {
        Landlock.Require();
        const string sockets = Launcher.PythonPrelude + """

            attempt("mptcp", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262))
            attempt("mptcp6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 262))
            attempt("raw", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
            attempt("raw6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6))
            attempt("ping", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP))
            attempt("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0))
            attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
            """;

        var r = Launcher.Python([], sockets);

        foreach (var label in new[] { "mptcp", "mptcp6", "raw", "raw6", "ping", "packet", "netlink" })
            Assert.True(r.StdOut.Contains($"{label} EACCES"), $"{label}: {r}");
    }

    private static int FreeTcpPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static async Task<byte[]?> ReceiveWithin(UdpClient client, TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            return (await client.ReceiveAsync(cts.Token)).Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
