using System.Text;
using CsCheck;
using Nono.Egress;

namespace Nono.Tests.Egress;

/// <summary>
/// Property tests of the proxy's request parsing and matching (CsCheck): heads built from hosts
/// in every spelling (mixed case, trailing dot, IPv6 literals, NUL bytes, overlong names,
/// look-alike domains), then cut and mutated byte by byte. The parser either refuses with a
/// <see cref="ProxyRequestException"/> or returns the host it was given, canonical; an unlisted
/// host is never allowed. A failure prints the seed that reproduces it.
/// </summary>
public sealed class ProxyRequestPropertyTests
{
    private static readonly HostPattern[] Listed =
        [HostPattern.Parse("registry.npmjs.org"), HostPattern.Parse(".nuget.org"), HostPattern.Parse("localhost:8080"), HostPattern.Parse("[::1]:9000")];

    /// <summary>The oracle: what the items allow, written out by hand rather than with HostPattern.</summary>
    private static bool ListedByHand(string host, int port) =>
        (host == "registry.npmjs.org" && port is 443 or 80)
        || ((host == "nuget.org" || host.EndsWith(".nuget.org", StringComparison.Ordinal)) && port is 443 or 80)
        || (host == "localhost" && port == 8080)
        || (host == "[::1]" && port == 9000);

    private static readonly Gen<string> Casing = Gen.OneOf(Gen.Const("registry.npmjs.org"), Gen.Const("api.nuget.org"), Gen.Const("nuget.org"),
            Gen.Const("evilnuget.org"), Gen.Const("nuget.org.evil.com"), Gen.Const("registry.npmjs.org.evil.com"), Gen.Const("localhost"),
            Gen.Const("169.254.169.254"), Gen.Const("127.0.0.1"), Gen.Const("example.com"), Gen.Const("a-b.c_d.nuget.org"))
        .SelectMany(h => Gen.Bool.Array[h.Length].Select(upper => new string(h.Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : c).ToArray())));

    private static readonly Gen<string> Host = Gen.Frequency<string>(
        (6, Casing),
        (1, Casing.Select(h => h + ".")),
        (1, Gen.OneOf(Gen.Const("[::1]"), Gen.Const("[0:0::1]"), Gen.Const("[fd00:ec2::254]"), Gen.Const("[::ffff:127.0.0.1]"), Gen.Const("[::1%lo]"), Gen.Const("::1"))),
        (1, Casing.Select(h => h.Insert(h.Length / 2, "\0"))),
        (1, Gen.Int[60, 300].Select(n => new string('a', n) + ".nuget.org")),
        (1, Gen.String[Gen.Char["aZ09.-_[]:%@ \t\0\x7f\u00e9"], 0, 30]));

    private static readonly Gen<int> Port = Gen.OneOf(Gen.Const(443), Gen.Const(80), Gen.Const(8080), Gen.Const(9000), Gen.Int[1, 65535]);

    private static readonly Gen<(string Head, string Host, int Port, bool Connect)> Request =
        Gen.Select(Host, Port, Gen.Bool, Gen.Bool, (host, port, connect, hostHeader) =>
        {
            var authority = host + ":" + port;
            var head = connect
                ? $"CONNECT {authority} HTTP/1.1\r\n" + (hostHeader ? $"Host: {authority}\r\n" : "")
                : $"GET http://{authority}/x HTTP/1.1\r\nHost: {(hostHeader ? authority : "other.example:" + port)}\r\n";
            return (head + "Proxy-Authorization: Basic bm9ubzp4\r\n\r\n", host, port, connect);
        });

    [Fact]
    public void AParsedRequest_IsForTheHostItWasGiven_Canonical_AndAllowedOnlyIfListed() =>
        Request.Sample(r =>
        {
            ProxyRequest parsed;
            try
            {
                parsed = ProxyRequestParser.Parse(Encoding.Latin1.GetBytes(r.Head));
            }
            catch (ProxyRequestException)
            {
                return;
            }
            var expected = r.Host.TrimEnd('.').ToLowerInvariant();
            Assert.Equal(r.Port, parsed.Port);
            Assert.Equal(parsed.Host, EgressHost.Normalize(parsed.Host));
            if (!expected.StartsWith('['))
                Assert.Equal(expected, parsed.Host);
            Assert.Equal(ListedByHand(parsed.Host, parsed.Port), Listed.Any(p => p.Matches(parsed.Host, parsed.Port)));
        }, iter: 20_000);

    /// <summary>Any head, cut anywhere and with bytes changed: a request or a ProxyRequestException, never another exception or a host that is not in it.</summary>
    [Fact]
    public void AMutatedHead_IsARequestForAHostItNames_OrRefused() =>
        Gen.Select(Request, Gen.Int[0, 400].Array[0, 6], Gen.Byte.Array[0, 6], Gen.Int[0, 600], (r, at, bytes, cut) =>
        {
            var head = Encoding.Latin1.GetBytes(r.Head);
            for (var i = 0; i < Math.Min(at.Length, bytes.Length); i++)
                if (head.Length > 0)
                    head[at[i] % head.Length] = bytes[i];
            return cut < head.Length && cut % 3 == 0 ? head[..cut] : head;
        }).Sample(head =>
        {
            ProxyRequest parsed;
            try
            {
                parsed = ProxyRequestParser.Parse(head);
            }
            catch (ProxyRequestException)
            {
                return;
            }
            Assert.Equal(parsed.Host, EgressHost.Normalize(parsed.Host));
            Assert.InRange(parsed.Port, 1, 65535);
            var text = Encoding.Latin1.GetString(head).ToLowerInvariant();
            Assert.Contains(parsed.Host.Trim('[', ']').Split(':')[0], text);
        }, iter: 20_000);

    [Fact]
    public void AnOverlongHead_IsRefused_NotParsed() =>
        Gen.Int[ProxyRequestParser.MaxHeadLength - 100, ProxyRequestParser.MaxHeadLength * 2].Sample(n =>
        {
            var head = Encoding.ASCII.GetBytes("CONNECT registry.npmjs.org:443 HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Pad: aaaaaaaaaaaaaaaa\r\n", n / 24)) + "\r\n");
            if (head.Length > ProxyRequestParser.MaxHeadLength)
                Assert.Throws<ProxyRequestException>(() => ProxyRequestParser.Parse(head));
        }, iter: 50);
}
