using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nono.Testing;

/// <summary>
/// An HTTP/1.1 server on a loopback address that keeps each request head and answers it with
/// what <c>respond</c> makes of it (status line, extra header lines, body), by default "hello PATH".
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly List<string> heads = [];
    private readonly Func<string, (string Status, string Headers, byte[] Body)> respond;

    public LoopbackHttpServer(IPAddress? address = null, Func<string, (string Status, string Headers, byte[] Body)>? respond = null)
    {
        this.respond = respond ?? (head => ("200 OK", "", Encoding.ASCII.GetBytes("hello " + head.Split(' ')[1])));
        listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(() => Serve(client));
            }
        });
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public IReadOnlyList<string> Heads
    {
        get
        {
            lock (heads)
                return heads.ToArray();
        }
    }

    /// <summary>The request targets, in the order asked for.</summary>
    public IReadOnlyList<string> Paths => Heads.Select(h => h.Split(' ')[1]).ToArray();

    private void Serve(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[16384];
            var filled = 0;
            int end;
            while ((end = Encoding.ASCII.GetString(buffer, 0, filled).IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
            {
                var n = stream.Read(buffer, filled, buffer.Length - filled);
                if (n == 0)
                    return;
                filled += n;
            }
            var head = Encoding.ASCII.GetString(buffer, 0, end + 4);
            lock (heads)
                heads.Add(head);
            var (status, headers, body) = respond(head);
            stream.Write(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\n{headers}Content-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
            stream.Write(body);
        }
        catch (IOException)
        {
        }
    }

    public void Dispose() => listener.Stop();
}
