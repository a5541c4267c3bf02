using System.Net;
using System.Net.Sockets;

namespace Nono.Egress;

/// <summary>What kind of address the proxy is about to connect to, and so whether it may.</summary>
public enum AddressKind
{
    /// <summary>A public address: allowed for any matching item.</summary>
    Public,

    /// <summary>Loopback or a private range (RFC 1918, CGNAT, IPv6 unique local): only for an item that names its host exactly.</summary>
    Private,

    /// <summary>Link-local (cloud metadata at 169.254.169.254, fd00:ec2::254), unspecified, multicast, broadcast, reserved: never.</summary>
    Never,
}

/// <summary>
/// Classifies the addresses a host resolved to. The proxy connects only to an address it checked
/// here, so a name cannot resolve to a public address for the check and an internal one for the
/// connection (DNS rebinding).
/// </summary>
public static class AddressCheck
{
    /// <summary>The kind of <paramref name="address"/> (IPv4-mapped IPv6 as its IPv4 address).</summary>
    public static AddressKind Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b switch
            {
                [0, ..] or [169, 254, ..] or [>= 224, ..] => AddressKind.Never,
                [100, 100, 100, 200] => AddressKind.Never, // Alibaba Cloud's metadata service
                [127, ..] or [10, ..] or [172, >= 16 and <= 31, ..] or [192, 168, ..] or [100, >= 64 and <= 127, ..] or [198, 18 or 19, ..] => AddressKind.Private,
                _ => AddressKind.Public,
            };
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return AddressKind.Never;
        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        if (address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6Multicast || address.IsIPv6SiteLocal
            || address.Equals(Ec2Metadata) || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8))
            return AddressKind.Never;
        if (address.IsIPv4MappedToIPv6 || (v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0 && v6[11] == 0 && !address.Equals(IPAddress.IPv6Loopback)))
            return AddressKind.Never; // IPv4-compatible (::a.b.c.d): deprecated, and a way to dress up an IPv4 address
        if (address.Equals(IPAddress.IPv6Loopback) || (v6[0] & 0xfe) == 0xfc)
            return AddressKind.Private;
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)
            return AddressKind.Never; // NAT64 (64:ff9b::/96) could carry any IPv4 address, metadata included
        return AddressKind.Public;
    }

    /// <summary>Whether the proxy may connect to <paramref name="address"/> for an item that does (or does not) name its host exactly.</summary>
    public static bool Allowed(IPAddress address, bool explicitHost) => Classify(address) switch
    {
        AddressKind.Public => true,
        AddressKind.Private => explicitHost,
        _ => false,
    };

    /// <summary>Amazon EC2's IPv6 metadata service.</summary>
    private static readonly IPAddress Ec2Metadata = IPAddress.Parse("fd00:ec2::254");
}
