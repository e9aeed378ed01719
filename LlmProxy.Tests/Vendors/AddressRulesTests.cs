using System.Net;
using LlmProxy.Core.Providers.Images;

namespace LlmProxy.Tests.Vendors;

/// <summary>
/// The addresses an image URL may reach: global unicast only. Every IPv6 form that carries an IPv4 address inside is
/// judged by that IPv4 address, so none of them is a way round the IPv4 rules.
/// </summary>
public sealed class AddressRulesTests
{
    public static TheoryData<string, bool, string> Addresses => new()
    {
        { "8.8.8.8", true, "public IPv4" },
        { "172.32.0.1", true, "just outside 172.16/12" },
        { "100.128.0.1", true, "just outside carrier-grade NAT" },
        { "168.63.129.17", true, "next to Azure's wire server" },
        { "2606:4700:4700::1111", true, "public IPv6" },
        { "2a00:1450:4001:80b::200e", true, "public IPv6" },
        { "::ffff:8.8.8.8", true, "IPv4-mapped public" },
        { "64:ff9b::808:808", true, "NAT64 of a public IPv4 (an IPv6-only network with DNS64)" },
        { "2002:808:808::1", true, "6to4 of a public IPv4" },
        { "2001:0:4136:e378:8000:63bf:f7f7:f7f7", true, "Teredo: public server, public client 8.8.8.8" },

        { "127.0.0.1", false, "loopback" },
        { "0.0.0.0", false, "this host" },
        { "10.1.2.3", false, "private" },
        { "172.16.0.1", false, "private" },
        { "192.168.1.1", false, "private" },
        { "100.64.0.1", false, "carrier-grade NAT" },
        { "100.100.100.200", false, "Alibaba metadata (carrier-grade NAT)" },
        { "169.254.169.254", false, "instance metadata (Azure, AWS, GCP)" },
        { "168.63.129.16", false, "Azure wire server" },
        { "192.0.0.192", false, "IETF protocol assignments (Oracle metadata)" },
        { "192.0.2.1", false, "documentation" },
        { "198.18.0.1", false, "benchmarking" },
        { "198.51.100.1", false, "documentation" },
        { "203.0.113.1", false, "documentation" },
        { "192.88.99.1", false, "6to4 relay anycast" },
        { "224.0.0.1", false, "multicast" },
        { "240.0.0.1", false, "reserved" },
        { "255.255.255.255", false, "broadcast" },

        { "::", false, "unspecified" },
        { "::1", false, "loopback" },
        { "::ffff:127.0.0.1", false, "IPv4-mapped loopback" },
        { "::ffff:169.254.169.254", false, "IPv4-mapped metadata" },
        { "::ffff:168.63.129.16", false, "IPv4-mapped wire server" },
        { "::ffff:0:127.0.0.1", false, "IPv4-translated loopback" },
        { "::127.0.0.1", false, "IPv4-compatible loopback" },
        { "::169.254.169.254", false, "IPv4-compatible metadata" },
        { "::8.8.8.8", false, "IPv4-compatible (deprecated, never routed)" },
        { "64:ff9b::127.0.0.1", false, "NAT64 of loopback" },
        { "64:ff9b::a9fe:a9fe", false, "NAT64 of the metadata address" },
        { "64:ff9b::a83f:8110", false, "NAT64 of the wire server" },
        { "64:ff9b::a00:1", false, "NAT64 of 10.0.0.1" },
        { "64:ff9b:1::a00:1", false, "local-use NAT64 prefix" },
        { "64:ff9b:1:808:8:800::", false, "local-use NAT64 prefix around a public IPv4" },
        { "2002:7f00:1::1", false, "6to4 of loopback" },
        { "2002:a9fe:a9fe::1", false, "6to4 of the metadata address" },
        { "2002:c0a8:101::1", false, "6to4 of 192.168.1.1" },
        { "2001:0:4136:e378:8000:63bf:80ff:fffe", false, "Teredo, client 127.0.0.1 (inverted)" },
        { "2001:0:4136:e378:8000:63bf:f5ff:fffe", false, "Teredo, client 10.0.0.1 (inverted)" },
        { "2001:0:4136:e378:8000:63bf:5601:5601", false, "Teredo, client 169.254.169.254 (inverted)" },
        { "2001:0:7f00:1:8000:63bf:f7f7:f7f7", false, "Teredo, server 127.0.0.1" },
        { "2001:2::1", false, "benchmarking" },
        { "2001:10::1", false, "ORCHID" },
        { "2001:db8::1", false, "documentation" },
        { "3fff::1", false, "documentation" },
        { "100::1", false, "discard-only" },
        { "fe80::1", false, "link-local" },
        { "fec0::1", false, "site-local" },
        { "fd00:ec2::254", false, "unique local (AWS metadata)" },
        { "fc00::1", false, "unique local" },
        { "ff02::1", false, "multicast" },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Only_global_unicast_is_reachable_with_embedded_IPv4_checked(string address, bool reachable, string what) =>
        Assert.True(reachable == AddressRules.IsPublic(IPAddress.Parse(address)), $"{address} ({what}) should be {(reachable ? "reachable" : "refused")}");
}
