namespace Nono.Tests;

public class SandboxStateTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void RoundTrip_KeepsEveryField()
    {
        var real = temp.Dir("real");
        var link = temp.Combine("link");
        Directory.CreateSymbolicLink(link, real);
        var file = temp.File("f");
        var caps = new CapabilitySet()
            .AllowPath(link, AccessMode.Read | AccessMode.Execute)
            .AllowPath(real, AccessMode.Write, CapabilitySource.System)
            .AllowFile(file, AccessMode.Execute)
            .SetNetworkMode(NetworkMode.ProxyOnly)
            .AllowTcpConnect(443).AllowTcpConnect(8443).AllowTcpBind(8080)
            .AllowUnixSockets();

        var json = SandboxState.From(caps).ToJson();
        var restored = SandboxState.FromJson(json).ToCapabilitySet();

        Assert.Equal(caps.FileSystem, restored.FileSystem);
        Assert.Equal(caps.NetworkMode, restored.NetworkMode);
        Assert.Equal(caps.TcpConnectPorts, restored.TcpConnectPorts);
        Assert.Equal(caps.TcpBindPorts, restored.TcpBindPorts);
        Assert.True(restored.UnixSocketsAllowed);
        Assert.Equal(json, SandboxState.From(restored).ToJson());
        Assert.Contains("\"schemaVersion\": 1", json);
        Assert.Contains("\"access\": \"read, execute\"", json);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "", "malformed sandbox state" },
        { "{", "malformed sandbox state" },
        { "null", "the document is null" },
        { "[]", "malformed sandbox state" },
        { Doc(version: "2"), "$.schemaVersion" },
        { Doc(version: "\"1\""), "$.schemaVersion" },
        { Doc(fs: "[{\"originalPath\":\"/a\",\"resolvedPath\":\"/a\",\"access\":3,\"isFile\":false,\"source\":\"user\"}]"), "$.fileSystem[0].access" },
        { Doc(fs: "[{\"originalPath\":\"/a\",\"resolvedPath\":\"/a\",\"access\":\"fly\",\"isFile\":false,\"source\":\"user\"}]"), "$.fileSystem[0].access" },
        { Doc(fs: "[{\"originalPath\":\"/a\",\"resolvedPath\":\"a\",\"access\":\"read\",\"isFile\":false,\"source\":\"user\"}]"), "$.fileSystem[0].resolvedPath" },
        { Doc(fs: "[{\"originalPath\":\"\",\"resolvedPath\":\"/a\",\"access\":\"read\",\"isFile\":false,\"source\":\"user\"}]"), "$.fileSystem[0].originalPath" },
        { Doc(fs: "[{\"originalPath\":\"/a\",\"resolvedPath\":\"/a\",\"access\":\"read\",\"isFile\":\"no\",\"source\":\"user\"}]"), "$.fileSystem[0].isFile" },
        { Doc(fs: "[{\"originalPath\":\"/a\",\"resolvedPath\":\"/a\",\"access\":\"read\",\"isFile\":false}]"), "source" },
        { Doc(fs: "{}"), "$.fileSystem" },
        { Doc(network: "{\"mode\":\"sometimes\",\"tcpConnect\":[],\"tcpBind\":[]}"), "$.network.mode" },
        { Doc(network: "{\"mode\":\"blocked\",\"tcpConnect\":[0],\"tcpBind\":[]}"), "$.network.tcpConnect[0]" },
        { Doc(network: "{\"mode\":\"blocked\",\"tcpConnect\":[70000],\"tcpBind\":[]}"), "$.network.tcpConnect[0]" },
        { Doc(network: "{\"mode\":\"blocked\",\"tcpConnect\":[],\"tcpBind\":[\"80\"]}"), "$.network.tcpBind" },
        { Doc(extra: ",\"surprise\":1"), "surprise" },
        { "{\"schemaVersion\":1}", "fileSystem" },
    };

    private static string Doc(string version = "1", string fs = "[]", string network = "{\"mode\":\"blocked\",\"tcpConnect\":[],\"tcpBind\":[]}", string extra = "") =>
        $"{{\"schemaVersion\":{version},\"fileSystem\":{fs},\"network\":{network},\"unixSockets\":false{extra}}}";

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedDocuments_AreConfigParseErrors_NamingTheField(string json, string named)
    {
        var e = Assert.Throws<NonoException>(() => SandboxState.FromJson(json));
        Assert.Equal(NonoErrorKind.ConfigParse, e.Kind);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void NullDocument_IsInvalidArgument() =>
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => SandboxState.FromJson(null!)).Kind);
}
