using System.Net;
using System.Net.Sockets;

namespace Nono.Build.Sdk.Tests.Escape;

/// <summary>
/// The servers one run's attempts try to reach, all outside the sandbox and reachable by the build's
/// user without it: TCP on IPv4 and IPv6 (one port allowed by the project, others not), UDP, a DNS
/// stand-in over UDP and TCP, a pathname Unix socket (mode 0777, in a 0777 folder) and an abstract one.
/// Nothing is accepted: after the build each is asked whether a connection or datagram is waiting.
/// </summary>
public sealed class EscapeListeners : IDisposable
{
    private readonly TcpListener tcpAllowed = Listen(IPAddress.Loopback);
    private readonly TcpListener tcpDenied = Listen(IPAddress.Loopback);
    private readonly TcpListener tcp6Denied = Listen(IPAddress.IPv6Loopback);
    private readonly TcpListener dnsTcp = Listen(IPAddress.Loopback);
    private readonly UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly UdpClient udp6 = new(new IPEndPoint(IPAddress.IPv6Loopback, 0));
    private readonly UdpClient dnsUdp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Socket unix;
    private readonly Socket abstractSocket;

    public EscapeListeners(string unixSocketPath, string abstractName)
    {
        UnixSocketPath = unixSocketPath;
        AbstractName = abstractName;
        unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        unix.Bind(new UnixDomainSocketEndPoint(unixSocketPath));
        unix.Listen(8);
        File.SetUnixFileMode(unixSocketPath, (UnixFileMode)0x1ff);
        abstractSocket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        abstractSocket.Bind(new UnixDomainSocketEndPoint("\0" + abstractName));
        abstractSocket.Listen(8);
    }

    public string UnixSocketPath { get; }

    public string AbstractName { get; }

    public int TcpAllowedPort => Port(tcpAllowed);

    public int TcpDeniedPort => Port(tcpDenied);

    public int Tcp6DeniedPort => Port(tcp6Denied);

    public int DnsTcpPort => Port(dnsTcp);

    public int UdpPort => ((IPEndPoint)udp.Client.LocalEndPoint!).Port;

    public int Udp6Port => ((IPEndPoint)udp6.Client.LocalEndPoint!).Port;

    public int DnsUdpPort => ((IPEndPoint)dnsUdp.Client.LocalEndPoint!).Port;

    public bool TcpAllowedConnected => tcpAllowed.Pending();

    public bool TcpDeniedConnected => tcpDenied.Pending();

    public bool Tcp6DeniedConnected => tcp6Denied.Pending();

    public bool DnsTcpConnected => dnsTcp.Pending();

    public int UdpReceived => udp.Available;

    public int Udp6Received => udp6.Available;

    public int DnsUdpReceived => dnsUdp.Available;

    public bool UnixConnected => unix.Poll(0, SelectMode.SelectRead);

    public bool AbstractConnected => abstractSocket.Poll(0, SelectMode.SelectRead);

    public void Dispose()
    {
        foreach (var listener in new[] { tcpAllowed, tcpDenied, tcp6Denied, dnsTcp })
            listener.Dispose();
        foreach (var client in new[] { udp, udp6, dnsUdp })
            client.Dispose();
        unix.Dispose();
        abstractSocket.Dispose();
        File.Delete(UnixSocketPath);
    }

    private static TcpListener Listen(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}

/// <summary>
/// A raw ICMP socket (root only) that sees every ICMP packet the machine receives, so the suite can
/// tell whether an echo request carrying a run's marker was ever sent.
/// </summary>
public sealed class IcmpSniffer : IDisposable
{
    private readonly Socket? v4;
    private readonly Socket? v6;
    private readonly List<byte[]> seen = [];

    public IcmpSniffer()
    {
        try
        {
            v4 = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
            v4.Bind(new IPEndPoint(IPAddress.Any, 0));
            v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
            v6.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        }
        catch (SocketException e)
        {
            Unavailable = $"no raw ICMP socket for the test ({e.SocketErrorCode}): only the step's own refusal is checked";
        }
    }

    public string? Unavailable { get; }

    public bool Saw(string marker)
    {
        Drain();
        var needle = System.Text.Encoding.ASCII.GetBytes(marker);
        lock (seen)
            return seen.Any(packet => packet.AsSpan().IndexOf(needle) >= 0);
    }

    private void Drain()
    {
        var buffer = new byte[65536];
        foreach (var socket in new[] { v4, v6 })
        {
            while (socket is not null && socket.Poll(0, SelectMode.SelectRead))
            {
                var n = socket.Receive(buffer);
                lock (seen)
                    seen.Add(buffer[..n]);
            }
        }
    }

    public void Dispose()
    {
        v4?.Dispose();
        v6?.Dispose();
    }
}
