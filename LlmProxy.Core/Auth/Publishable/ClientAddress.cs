using System.Net;
using System.Net.Sockets;

namespace LlmProxy.Core.Auth.Publishable;

/// <summary>The address a per-IP limit counts against.</summary>
public static class ClientAddress
{
    public const string Unknown = "unknown";

    /// <param name="remote">The connection's peer.</param>
    /// <param name="forwardedFor">The <c>X-Forwarded-For</c> header, used only when <paramref name="trustForwardedFor"/>.</param>
    public static string Resolve(IPAddress? remote, string? forwardedFor, bool trustForwardedFor)
    {
        var address = remote;
        // The last entry is the one the trusted front appended; earlier ones are whatever the caller sent.
        if (trustForwardedFor && forwardedFor?.Split(',')[^1].Trim() is { Length: > 0 } last && Parse(last) is { } forwarded)
            address = forwarded;
        return address is null ? Unknown : Key(address);
    }

    /// <summary>
    /// IPv4 as is; IPv6 by its /64 network, since one subscriber usually holds a whole /64 and could otherwise take
    /// a fresh address per request.
    /// </summary>
    private static string Key(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "-64";
    }

    /// <summary>An address, or an address with a port as some fronts write it (<c>203.0.113.7:51234</c>, <c>[2001:db8::1]:443</c>).</summary>
    private static IPAddress? Parse(string entry) =>
        IPAddress.TryParse(entry, out var address) ? address
        : IPEndPoint.TryParse(entry, out var endpoint) ? endpoint.Address
        : null;
}
