using System.Net;
using System.Net.Sockets;

namespace LlmProxy.Core.Providers.Images;

/// <summary>Addresses a caller-supplied URL must not reach: this machine, private networks, link-local (cloud metadata).</summary>
public static class AddressRules
{
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] >= 64 && b[1] <= 127,           // carrier-grade NAT
                169 => b[1] == 254,                         // link-local, 169.254.169.254 metadata
                172 => b[1] >= 16 && b[1] <= 31,
                192 => b[1] == 168 || (b[1] == 0 && b[2] == 0),
                198 => b[1] is 18 or 19,                    // benchmarking
                >= 224 => true,                             // multicast and reserved
                _ => false,
            };
        }
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast) return true;
        var first = address.GetAddressBytes()[0];
        return (first & 0xFE) == 0xFC; // unique local fc00::/7 (fd00:ec2::254 metadata among them)
    }
}
