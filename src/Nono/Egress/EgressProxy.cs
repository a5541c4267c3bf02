using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Nono.Egress;

/// <summary>
/// An HTTP proxy on 127.0.0.1 that lets sandboxed processes reach the hosts they are granted and
/// nothing else. Run it outside the sandbox; give each process tree a <see cref="Grant"/> (its
/// credential and allow list) and TCP to <see cref="Port"/> only. It accepts <c>CONNECT
/// host:port</c> and plain HTTP in absolute form, resolves names itself, checks every address
/// (<see cref="AddressCheck"/>) and connects to the address it checked. A refusal is a 403 that
/// names the host, port and the item to add, and an <see cref="EgressEvent"/> on the grant.
/// </summary>
/// <remarks>
/// A CONNECT tunnel is opaque: the proxy checks its target, not what flows through it (TLS or not).
/// </remarks>
public sealed class EgressProxy : IDisposable
{
    private readonly Socket listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, EgressGrant> grants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Socket, byte> open = new();
    private readonly Task accepting;

    /// <summary>Starts a proxy on 127.0.0.1 on a port the kernel picks.</summary>
    public EgressProxy()
        : this(null)
    {
    }

    /// <summary>A proxy that resolves names with <paramref name="resolver"/> (tests: names that resolve nowhere else).</summary>
    internal EgressProxy(Func<string, CancellationToken, Task<IPAddress[]>>? resolver)
    {
        Resolve = resolver ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
        listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        Endpoint = (IPEndPoint)listener.LocalEndPoint!;
        accepting = Task.Run(AcceptLoop);
    }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port => Endpoint.Port;

    internal IPEndPoint Endpoint { get; }

    internal Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; }

    /// <summary>Most sockets open at once, clients' and servers' together: 256 tunnels.</summary>
    public const int MaxConnections = 512;

    /// <summary>How long a client has to send its request head, and the proxy to resolve and connect.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A new credential for one process tree, allowing <paramref name="allowed"/>; with
    /// <paramref name="audit"/>, every host is allowed (link-local and metadata addresses never)
    /// and each host contacted is recorded.
    /// </summary>
    public EgressGrant Grant(IEnumerable<HostPattern> allowed, bool audit = false)
    {
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        var grant = new EgressGrant(this, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(), allowed.Distinct().ToArray(), audit);
        grants[grant.Token] = grant;
        return grant;
    }

    internal void Revoke(EgressGrant grant) => grants.TryRemove(grant.Token, out _);

    internal EgressGrant? FindGrant(string token) => grants.TryGetValue(token, out var grant) ? grant : null;

    internal CancellationToken Stopping => stopping.Token;

    internal void Track(Socket socket) => open[socket] = 0;

    internal void Untrack(Socket socket) => open.TryRemove(socket, out _);

    private async Task AcceptLoop()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested)
                    return;
                continue;
            }
            if (open.Count >= MaxConnections)
            {
                client.Dispose(); // a process flooding the listener gets no more of MSBuild's descriptors and memory
                continue;
            }
            _ = Task.Run(() => new ProxyConnection(this, client).RunAsync());
        }
    }

    /// <summary>Stops listening and closes every connection, tunnels included.</summary>
    public void Dispose()
    {
        if (stopping.IsCancellationRequested)
            return;
        stopping.Cancel();
        listener.Dispose();
        foreach (var socket in open.Keys)
            socket.Dispose();
        grants.Clear();
        try
        {
            accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
