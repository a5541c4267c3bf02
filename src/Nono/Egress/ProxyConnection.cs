using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nono.Egress;

/// <summary>One client connection to the <see cref="EgressProxy"/>: one request, then a tunnel or one forwarded HTTP exchange.</summary>
internal sealed class ProxyConnection(EgressProxy proxy, Socket client)
{
    private const int RelayBufferSize = 64 * 1024;

    public async Task RunAsync()
    {
        proxy.Track(client);
        Socket? upstream = null;
        try
        {
            client.NoDelay = true;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(proxy.Stopping);
            timeout.CancelAfter(proxy.RequestTimeout);
            var (head, rest) = await ReadHeadAsync(timeout.Token).ConfigureAwait(false);
            if (head is null)
                return;
            ProxyRequest request;
            try
            {
                request = ProxyRequestParser.Parse(head);
            }
            catch (ProxyRequestException e)
            {
                await RespondAsync(400, "Bad Request", $"nono egress proxy: {e.Message}.").ConfigureAwait(false);
                return;
            }
            if (Authenticate(request) is not { } grant)
            {
                await RespondAsync(407, "Proxy Authentication Required",
                    "nono egress proxy: this proxy serves only the sandboxed processes it was started for (their HTTP_PROXY holds the credential).",
                    "Proxy-Authenticate: Basic realm=\"nono\"\r\n").ConfigureAwait(false);
                return;
            }
            long? bodyLength = 0;
            if (!request.IsConnect && (bodyLength = BodyLength(request)) is null)
            {
                await RespondAsync(411, "Length Required",
                    "nono egress proxy: a plain-HTTP request body is forwarded only with a Content-Length (not chunked); use HTTPS, whose tunnel carries anything.").ConfigureAwait(false);
                return;
            }
            upstream = await OpenUpstreamAsync(grant, request, timeout.Token).ConfigureAwait(false);
            if (upstream is null)
                return;
            if (request.IsConnect)
            {
                await SendAsync(client, "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray()).ConfigureAwait(false);
                if (rest.Length > 0)
                    await SendAsync(upstream, rest).ConfigureAwait(false);
                await Task.WhenAll(RelayAsync(client, upstream), RelayAsync(upstream, client)).ConfigureAwait(false);
                return;
            }
            // Plain HTTP: this one request and its body go to the server, nothing the client sends
            // after them (a pooled connection's next request, perhaps for another host, was never
            // checked); the response tells the client to close.
            await SendAsync(upstream, ForwardedHead(request)).ConfigureAwait(false);
            await Task.WhenAll(RelayBodyAsync(rest, bodyLength!.Value, upstream), RelayResponseAsync(upstream, proxy.Stopping)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client or the server went away, the request timed out, or the proxy stopped.
        }
        finally
        {
            proxy.Untrack(client);
            client.Dispose();
            if (upstream is not null)
            {
                proxy.Untrack(upstream);
                upstream.Dispose();
            }
        }
    }

    /// <summary>The request head, and whatever the client sent after it; null head: the client closed or sent too much.</summary>
    private async Task<(byte[]? Head, byte[] After)> ReadHeadAsync(CancellationToken ct)
    {
        var buffer = new byte[ProxyRequestParser.MaxHeadLength];
        var filled = 0;
        while (true)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
                return (null, []);
            var searchFrom = Math.Max(0, filled - 3);
            filled += n;
            var end = ProxyRequestParser.HeadLength(buffer.AsSpan(searchFrom, filled - searchFrom));
            if (end >= 0)
            {
                end += searchFrom;
                return (buffer[..end], buffer[end..filled]);
            }
            if (filled == buffer.Length)
            {
                await RespondAsync(431, "Request Header Fields Too Large",
                    $"nono egress proxy: the request head is longer than {ProxyRequestParser.MaxHeadLength} bytes.").ConfigureAwait(false);
                return (null, []);
            }
        }
    }

    private EgressGrant? Authenticate(ProxyRequest request)
    {
        var value = request.Header("Proxy-Authorization");
        if (value is null || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value[6..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        return colon < 0 ? null : proxy.FindGrant(decoded[(colon + 1)..]);
    }

    /// <summary>The connection to the checked address of the request's host, or null once the client has its refusal.</summary>
    private async Task<Socket?> OpenUpstreamAsync(EgressGrant grant, ProxyRequest request, CancellationToken ct)
    {
        var (host, port) = (request.Host, request.Port);
        var item = grant.Match(host, port);
        if (item is null && !grant.Audit)
        {
            grant.Record(new EgressEvent(host, port, EgressOutcome.NotListed, false, ""));
            await RefuseAsync(host, port, $"{EgressHost.Authority(host, port)} is not among this step's SandboxNetwork items").ConfigureAwait(false);
            return null;
        }
        // Audit runs the step unenforced anyway; what it would be refused is reported from the record.
        var explicitHost = grant.Audit || item!.IsExplicit;
        IPAddress[] addresses;
        if (EgressHost.Address(host) is { } literal)
            addresses = [literal];
        else
        {
            try
            {
                addresses = await proxy.Resolve(host, ct).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                grant.Record(new EgressEvent(host, port, EgressOutcome.Unreachable, item is not null, $"the name did not resolve ({e.SocketErrorCode})"));
                await RespondAsync(502, "Bad Gateway", $"nono egress proxy: '{host}' did not resolve ({e.SocketErrorCode}).").ConfigureAwait(false);
                return null;
            }
        }
        var usable = addresses.Where(a => AddressCheck.Allowed(a, explicitHost) && !IsProxyItself(a, port)).ToArray();
        if (usable.Length == 0)
        {
            var listedAs = item is null ? "" : $" (listed as '{item}')";
            var detail = $"it resolves only to {string.Join(", ", addresses.Select(a => a.ToString()))}, "
                + (addresses.Any(a => AddressCheck.Classify(a) == AddressKind.Private) && item is { IsDomain: true }
                    ? "loopback or private addresses, which the proxy reaches only for a host listed by its own name, not by a .DOMAIN item"
                    : "addresses the proxy never reaches (link-local, cloud metadata, multicast, reserved)");
            grant.Record(new EgressEvent(host, port, EgressOutcome.AddressRefused, item is not null, detail));
            await RefuseAsync(host, port, $"{EgressHost.Authority(host, port)}{listedAs}: {detail}").ConfigureAwait(false);
            return null;
        }
        Exception? last = null;
        foreach (var address in usable)
        {
            Socket? socket = null;
            try
            {
                // Inside the try: a machine without IPv6 refuses the socket itself, and the next address is tried.
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                proxy.Track(socket);
                // One address that drops the connection attempt must not use up the time for the next.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(usable.Length > 1 ? TimeSpan.FromSeconds(10) : Timeout.InfiniteTimeSpan);
                await socket.ConnectAsync(new IPEndPoint(address, port), attempt.Token).ConfigureAwait(false);
                if (grant.Audit)
                    grant.Record(new EgressEvent(host, port, EgressOutcome.Contacted, item is not null, ""));
                return socket;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                last = e;
                if (socket is not null)
                {
                    proxy.Untrack(socket);
                    socket.Dispose();
                }
            }
        }
        var why = last switch { SocketException se => se.SocketErrorCode.ToString(), OperationCanceledException => "timed out", _ => "no address" };
        grant.Record(new EgressEvent(host, port, EgressOutcome.Unreachable, item is not null, $"no address accepted the connection ({why})"));
        await RespondAsync(502, "Bad Gateway", $"nono egress proxy: {EgressHost.Authority(host, port)} did not accept the connection ({why}).").ConfigureAwait(false);
        return null;
    }

    private bool IsProxyItself(IPAddress address, int port) =>
        port == proxy.Port && (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));

    /// <summary>403, at once: clients retry on 5xx and network errors, not on this.</summary>
    private Task RefuseAsync(string host, int port, string why) =>
        RespondAsync(403, "Forbidden",
            $"nono egress proxy: refused {why}. If the step needs it, add <SandboxNetwork Include=\"{HostPattern.ItemFor(host, port)}\" /> to the project (docs/policy.md).",
            $"X-Nono-Refused: {EgressHost.Authority(host, port)}\r\n");

    private async Task RespondAsync(int status, string reason, string body, string headers = "")
    {
        var bytes = Encoding.ASCII.GetBytes(body + "\n");
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n{headers}\r\n");
        try
        {
            await SendAsync(client, head.Concat(bytes).ToArray()).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>
    /// The head sent to the server for plain HTTP: origin-form target, the proxy's own headers and
    /// the hop-by-hop ones dropped (no protocol upgrade: the client's bytes after this request
    /// are never relayed), and Connection: close: the connection carries this one exchange.
    /// </summary>
    private static byte[] ForwardedHead(ProxyRequest request)
    {
        var text = new StringBuilder(512);
        text.Append(request.Method).Append(' ').Append(request.PathAndQuery).Append(' ').Append(request.Version).Append("\r\n");
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase) || IsConnectionHeader(name)
                || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) || name.Equals("TE", StringComparison.OrdinalIgnoreCase))
                continue;
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        if (request.Header("Host") is null)
            text.Append("Host: ").Append(EgressHost.Authority(request.Host, request.Port)).Append("\r\n");
        text.Append("Connection: close\r\n\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The request body's length: Content-Length, 0 without one; null for a chunked body.</summary>
    private static long? BodyLength(ProxyRequest request)
    {
        if (request.Header("Transfer-Encoding") is not null)
            return null;
        return request.Header("Content-Length") is { } length && long.TryParse(length, System.Globalization.NumberStyles.None, null, out var n) ? n : 0;
    }

    /// <summary>Sends exactly <paramref name="length"/> bytes of body: what came with the head, then from the client.</summary>
    private async Task RelayBodyAsync(byte[] received, long length, Socket upstream)
    {
        var first = (int)Math.Min(received.Length, length);
        if (first > 0)
            await SendAsync(upstream, received.AsMemory(0, first)).ConfigureAwait(false);
        var left = length - first;
        if (left == 0)
            return;
        var buffer = ArrayPool<byte>.Shared.Rent(RelayBufferSize);
        try
        {
            while (left > 0)
            {
                var n = await client.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    return;
                await SendAsync(upstream, buffer.AsMemory(0, n)).ConfigureAwait(false);
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The server's response, its head (after any interim 1xx ones) with Connection: close in
    /// place of the server's own connection headers, then the rest until the server ends; then
    /// the client's connection ends too.
    /// </summary>
    private async Task RelayResponseAsync(Socket upstream, CancellationToken ct)
    {
        var buffer = new byte[ProxyRequestParser.MaxHeadLength];
        var filled = 0;
        while (true)
        {
            var end = ProxyRequestParser.HeadLength(buffer.AsSpan(0, filled));
            if (end < 0)
            {
                var n = filled == buffer.Length ? 0 : await upstream.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    client.Shutdown(SocketShutdown.Both); // no complete head: nothing the client could use
                    return;
                }
                filled += n;
                continue;
            }
            var head = Encoding.ASCII.GetString(buffer, 0, end);
            var interim = head.Length > 12 && head[9] == '1' && !head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal);
            await SendAsync(client, interim ? buffer.AsMemory(0, end) : ClosingHead(head)).ConfigureAwait(false);
            Array.Copy(buffer, end, buffer, 0, filled - end);
            filled -= end;
            if (!interim)
                break;
        }
        if (filled > 0)
            await SendAsync(client, buffer.AsMemory(0, filled)).ConfigureAwait(false);
        await RelayAsync(upstream, client).ConfigureAwait(false);
        client.Shutdown(SocketShutdown.Both);
    }

    private static byte[] ClosingHead(string head)
    {
        var lines = head.Split("\r\n").Where(l => l.Length > 0 && !IsConnectionHeader(l[..Math.Max(0, l.IndexOf(':'))].Trim()));
        return Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + "\r\nConnection: close\r\nProxy-Connection: close\r\n\r\n");
    }

    private static bool IsConnectionHeader(string name) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase);

    private static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (data.Length > 0)
        {
            var n = await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>Copies until <paramref name="from"/> ends, then ends <paramref name="to"/>'s sending side (half-close, as TCP does).</summary>
    private static async Task RelayAsync(Socket from, Socket to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(RelayBufferSize);
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    break;
                await SendAsync(to, buffer.AsMemory(0, n)).ConfigureAwait(false);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side reset: end both directions.
            from.Dispose();
            to.Dispose();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
