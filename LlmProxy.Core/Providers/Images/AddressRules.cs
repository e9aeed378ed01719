using System.Net;
using System.Net.Sockets;

namespace LlmProxy.Core.Providers.Images;

/// <summary>
/// The addresses a caller-supplied URL may reach: global unicast only. It is an allow-list, so a special range nobody
/// listed is refused rather than let through. IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo)
/// are judged by the IPv4 address inside, because that is where their packets end up.
/// </summary>
public static class AddressRules
{
    /// <summary>
    /// IPv4 blocks that are not globally reachable (IANA special-purpose registry), and cloud endpoints that sit on
    /// public-looking addresses: Azure's wire server 168.63.129.16 (169.254.169.254, the instance metadata service of
    /// Azure, AWS and GCP, is in the link-local block).
    /// </summary>
    private static readonly IPNetwork[] NonGlobalV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.88.99.0/24"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("224.0.0.0/3"), IPNetwork.Parse("168.63.129.16/32"),
    ];

    private static readonly IPNetwork GlobalUnicastV6 = IPNetwork.Parse("2000::/3");

    /// <summary>Inside 2000::/3 but not global: IETF protocol assignments (benchmarking, ORCHID, ...) and documentation.</summary>
    private static readonly IPNetwork[] NonGlobalV6 = [IPNetwork.Parse("2001::/23"), IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("3fff::/20")];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Teredo = IPNetwork.Parse("2001::/32");

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork) return !NonGlobalV4.Any(n => n.Contains(address));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;

        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address)) return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        if (SixToFour.Contains(address)) return IsPublic(new IPAddress(bytes.AsSpan(2, 4)));
        if (Teredo.Contains(address))
        {
            // RFC 4380: the Teredo server's IPv4 in bits 32-63, the client's public IPv4 in the last 32 bits, inverted.
            Span<byte> client = stackalloc byte[4];
            for (var i = 0; i < 4; i++) client[i] = (byte)~bytes[12 + i];
            return IsPublic(new IPAddress(bytes.AsSpan(4, 4))) && IsPublic(new IPAddress(client));
        }
        // Everything outside 2000::/3 is refused here, among it ::1, ::, IPv4-compatible ::a.b.c.d, the local-use
        // NAT64 prefix 64:ff9b:1::/48, link-local, unique-local (fd00:ec2::254, AWS metadata) and multicast.
        return GlobalUnicastV6.Contains(address) && !NonGlobalV6.Any(n => n.Contains(address));
    }
}
