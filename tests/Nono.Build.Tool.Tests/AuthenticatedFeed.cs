using System.IO.Compression;
using System.Text;

namespace Nono.Build.Tool.Tests;

/// <summary>
/// A NuGet v3 feed on a loopback port that answers only requests with its Basic credential
/// (401 otherwise), serving one package that ships build/&lt;Id&gt;.targets: the service index,
/// the package's version list and the package itself (PackageBaseAddress, which restore uses).
/// </summary>
internal sealed class AuthenticatedFeed : IDisposable
{
    private readonly LoopbackHttpServer server;
    private readonly string authorization;
    private readonly string id;
    private readonly byte[] package;
    private int downloads;

    public AuthenticatedFeed(string user, string password, string id, string targets)
    {
        authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        this.id = id.ToLowerInvariant();
        package = Package(id, targets);
        server = new LoopbackHttpServer(respond: Respond);
    }

    public string IndexUrl => $"{Origin}/v3/index.json";

    private string Origin => $"http://127.0.0.1:{server.Port}";

    /// <summary>How many times the package was sent, to a request with the credential.</summary>
    public int Downloads => Volatile.Read(ref downloads);

    private (string, string, byte[]) Respond(string head)
    {
        var lines = head.Split("\r\n");
        if (!lines.Any(l => l.Equals("Authorization: " + authorization, StringComparison.Ordinal)))
            return ("401 Unauthorized", "WWW-Authenticate: Basic realm=\"feed\"\r\n", []);
        var path = lines[0].Split(' ')[1];
        byte[]? body = path switch
        {
            "/v3/index.json" => Encoding.UTF8.GetBytes($$"""{"version":"3.0.0","resources":[{"@id":"{{Origin}}/flat/","@type":"PackageBaseAddress/3.0.0"}]}"""),
            _ when path == $"/flat/{id}/index.json" => Encoding.UTF8.GetBytes("""{"versions":["1.0.0"]}"""),
            _ when path == $"/flat/{id}/1.0.0/{id}.1.0.0.nupkg" => package,
            _ => null,
        };
        if (body == package)
            Interlocked.Increment(ref downloads);
        return body is null ? ("404 Not Found", "", []) : ("200 OK", "", body);
    }

    private static byte[] Package(string id, string targets)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create))
        {
            void Add(string name, string content)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(content);
            }
            Add($"{id}.nuspec", $"""
                <?xml version="1.0"?>
                <package><metadata><id>{id}</id><version>1.0.0</version><authors>e2e</authors><description>Probe package on an authenticated feed.</description></metadata></package>
                """);
            Add($"build/{id}.targets", targets);
        }
        return buffer.ToArray();
    }

    public void Dispose() => server.Dispose();
}
