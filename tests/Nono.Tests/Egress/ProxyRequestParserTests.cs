using System.Text;
using Nono.Egress;

namespace Nono.Tests.Egress;

public sealed class ProxyRequestParserTests
{
    private static ProxyRequest Parse(string head) => ProxyRequestParser.Parse(Encoding.Latin1.GetBytes(head));

    [Fact]
    public void ConnectNamesTheHostAndPort_Canonically()
    {
        var r = Parse("CONNECT Registry.NPMJS.org.:443 HTTP/1.1\r\nHost: registry.npmjs.org:443\r\nProxy-Authorization: Basic eDp5\r\n\r\n");
        Assert.True(r.IsConnect);
        Assert.Equal(("registry.npmjs.org", 443), (r.Host, r.Port));
        Assert.Equal("Basic eDp5", r.Header("proxy-authorization"));
    }

    [Fact]
    public void ConnectToAnIPv6Literal_KeepsItInBrackets()
    {
        var r = Parse("CONNECT [0::1]:8443 HTTP/1.1\r\n\r\n");
        Assert.Equal(("[::1]", 8443), (r.Host, r.Port));
    }

    [Fact]
    public void PlainHttp_IsForwardedInOriginForm_WithTheDefaultPort()
    {
        var r = Parse("GET http://example.com?q=1 HTTP/1.1\r\nHost: EXAMPLE.com\r\n\r\n");
        Assert.False(r.IsConnect);
        Assert.Equal(("example.com", 80, "/?q=1"), (r.Host, r.Port, r.PathAndQuery));
    }

    [Theory]
    [InlineData("GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n", "names another host")]
    [InlineData("GET http://a.example/ HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", "names another host")]
    [InlineData("GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", "more than one Host")]
    [InlineData("GET http://a.example/ HTTP/1.1\r\n\r\n", "no Host header")]
    [InlineData("GET /path HTTP/1.1\r\nHost: a.example\r\n\r\n", "absolute form")]
    [InlineData("GET https://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n", "CONNECT")]
    [InlineData("GET http://user@a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n", "user information")]
    [InlineData("CONNECT a.example HTTP/1.1\r\n\r\n", "host:port")]
    [InlineData("CONNECT a.example:0 HTTP/1.1\r\n\r\n", "not a TCP port")]
    [InlineData("CONNECT a.example:99999 HTTP/1.1\r\n\r\n", "not a TCP port")]
    [InlineData("CONNECT a.example:+443 HTTP/1.1\r\n\r\n", "not a TCP port")]
    [InlineData("CONNECT a.exa\0mple:443 HTTP/1.1\r\n\r\n", "control character")]
    [InlineData("CONNECT 2130706433:443 HTTP/1.1\r\n\r\n", "not a host name")]
    [InlineData("CONNECT [::1%25lo]:443 HTTP/1.1\r\n\r\n", "not a host name")]
    [InlineData("CONNECT  a.example:443 HTTP/1.1\r\n\r\n", "request line")]
    [InlineData("CONNECT a.example:443 HTTP/2\r\n\r\n", "HTTP/1.1")]
    [InlineData("CONNECT a.example:443 HTTP/1.1\nHost: x\r\n\r\n", "bare CR or LF")]
    [InlineData("CONNECT a.example:443 HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", "folded")]
    [InlineData("CONNECT a.example:443 HTTP/1.1\r\nBad Name: a\r\n\r\n", "not a token")]
    [InlineData("POST http://a.example/ HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "both Transfer-Encoding")]
    [InlineData("CONNECT bücher.de:443 HTTP/1.1\r\n\r\n", "outside ASCII")]
    public void AnAmbiguousOrUnsupportedHead_IsRefusedWithTheReason(string head, string reason)
    {
        var e = Assert.Throws<ProxyRequestException>(() => Parse(head));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void AnOverlongLine_IsRefused()
    {
        var e = Assert.Throws<ProxyRequestException>(() => Parse($"CONNECT a.example:443 HTTP/1.1\r\nX: {new string('a', ProxyRequestParser.MaxLineLength)}\r\n\r\n"));
        Assert.Contains("longer than", e.Message);
    }

    [Fact]
    public void TheHeadEnds_AtTheFirstEmptyLine()
    {
        var bytes = "CONNECT a:1 HTTP/1.1\r\n\r\n\u0016\u0003"u8.ToArray();
        Assert.Equal(bytes.Length - 2, ProxyRequestParser.HeadLength(bytes));
        Assert.Equal(-1, ProxyRequestParser.HeadLength("CONNECT a:1 HTTP/1.1\r\n"u8));
    }
}
