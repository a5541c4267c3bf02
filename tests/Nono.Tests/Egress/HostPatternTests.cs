using System.Net;
using Nono.Egress;

namespace Nono.Tests.Egress;

public sealed class HostPatternTests
{
    [Theory]
    [InlineData("Example.COM.", "example.com")]
    [InlineData("registry.npmjs.org", "registry.npmjs.org")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("[0:0:0:0:0:0:0:1]", "[::1]")]
    [InlineData("[FD00:EC2::254]", "[fd00:ec2::254]")]
    [InlineData("_dmarc.example.com", "_dmarc.example.com")]
    public void AHost_IsComparedLowerCase_WithoutATrailingDot_AndIPv6InCanonicalBrackets(string text, string canonical) =>
        Assert.Equal(canonical, EgressHost.Normalize(text));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a..b")]
    [InlineData("-a.com")]
    [InlineData("a-.com")]
    [InlineData("exa mple.com")]
    [InlineData("exa%2ample.com")]
    [InlineData("2130706433")]
    [InlineData("0x7f.1")]
    [InlineData("127.1")]
    [InlineData("0177.0.0.1")]
    [InlineData("01.2.3.4")]
    [InlineData("[::1%lo]")]
    [InlineData("::1")]
    [InlineData("[127.0.0.1]")]
    [InlineData("ex\0ample.com")]
    [InlineData("bücher.de")]
    public void WhatAResolverCouldReadOtherwise_IsNotAHost(string text) =>
        Assert.Null(EgressHost.Normalize(text));

    [Theory]
    [InlineData("registry.npmjs.org", "registry.npmjs.org", 443, true)]
    [InlineData("registry.npmjs.org", "registry.npmjs.org", 80, true)]
    [InlineData("registry.npmjs.org", "registry.npmjs.org", 8443, false)]
    [InlineData("registry.npmjs.org", "npmjs.org", 443, false)]
    [InlineData("registry.npmjs.org", "evil-registry.npmjs.org", 443, false)]
    [InlineData("localhost:8080", "localhost", 8080, true)]
    [InlineData("localhost:8080", "localhost", 8081, false)]
    [InlineData(".nuget.org", "nuget.org", 443, true)]
    [InlineData(".nuget.org", "api.nuget.org", 443, true)]
    [InlineData(".nuget.org", "a.b.nuget.org", 443, true)]
    [InlineData(".nuget.org", "evilnuget.org", 443, false)]
    [InlineData(".nuget.org", "nuget.org.evil.com", 443, false)]
    [InlineData(".nuget.org:8443", "api.nuget.org", 8443, true)]
    [InlineData(".nuget.org:8443", "api.nuget.org", 443, false)]
    [InlineData("[::1]:9000", "[::1]", 9000, true)]
    [InlineData("Registry.NPMJS.org.", "registry.npmjs.org", 443, true)]
    public void APattern_MatchesItsHostOrDomain_OnItsPortOrTheWebPorts(string pattern, string host, int port, bool matches) =>
        Assert.Equal(matches, HostPattern.Parse(pattern).Matches(host, port));

    [Theory]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:")]
    [InlineData(".1.2.3.4")]
    [InlineData(".[::1]")]
    [InlineData("*.example.com")]
    [InlineData("[::1")]
    public void AMalformedPattern_IsRefusedWithItsProblem(string pattern)
    {
        Assert.False(HostPattern.TryParse(pattern, out _, out var problem));
        Assert.NotEmpty(problem);
    }

    [Theory]
    [InlineData("169.254.169.254", AddressKind.Never)]
    [InlineData("169.254.1.1", AddressKind.Never)]
    [InlineData("100.100.100.200", AddressKind.Never)]
    [InlineData("0.0.0.0", AddressKind.Never)]
    [InlineData("224.0.0.1", AddressKind.Never)]
    [InlineData("255.255.255.255", AddressKind.Never)]
    [InlineData("fd00:ec2::254", AddressKind.Never)]
    [InlineData("fe80::1", AddressKind.Never)]
    [InlineData("::ffff:169.254.169.254", AddressKind.Never)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressKind.Never)]
    [InlineData("::", AddressKind.Never)]
    [InlineData("127.0.0.1", AddressKind.Private)]
    [InlineData("127.8.9.10", AddressKind.Private)]
    [InlineData("::1", AddressKind.Private)]
    [InlineData("::ffff:127.0.0.1", AddressKind.Private)]
    [InlineData("10.1.2.3", AddressKind.Private)]
    [InlineData("172.16.0.1", AddressKind.Private)]
    [InlineData("172.31.255.255", AddressKind.Private)]
    [InlineData("192.168.1.1", AddressKind.Private)]
    [InlineData("100.64.0.1", AddressKind.Private)]
    [InlineData("fd12:3456::1", AddressKind.Private)]
    [InlineData("172.32.0.1", AddressKind.Public)]
    [InlineData("104.16.0.1", AddressKind.Public)]
    [InlineData("2606:4700::6810:1", AddressKind.Public)]
    public void AnAddress_IsPublic_PrivateForExplicitItemsOnly_OrNeverReached(string address, AddressKind kind)
    {
        Assert.Equal(kind, AddressCheck.Classify(IPAddress.Parse(address)));
        Assert.Equal(kind != AddressKind.Never, AddressCheck.Allowed(IPAddress.Parse(address), explicitHost: true));
        Assert.Equal(kind == AddressKind.Public, AddressCheck.Allowed(IPAddress.Parse(address), explicitHost: false));
    }
}
