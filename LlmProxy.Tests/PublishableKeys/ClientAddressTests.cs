using System.Net;
using LlmProxy.Core.Auth.Publishable;

namespace LlmProxy.Tests.PublishableKeys;

/// <summary>Which address a per-IP window counts against.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", null, false, "127.0.0.1")]
    [InlineData("127.0.0.1", "203.0.113.7", false, "127.0.0.1")]
    [InlineData("127.0.0.1", "203.0.113.7", true, "203.0.113.7")]
    [InlineData("127.0.0.1", "10.0.0.1, 203.0.113.7:51234", true, "203.0.113.7")]
    [InlineData("127.0.0.1", "[2001:db8:1:2::5]:443", true, "2001:db8:1:2::-64")]
    [InlineData("127.0.0.1", "not an address", true, "127.0.0.1")]
    [InlineData("::ffff:192.0.2.1", null, false, "192.0.2.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", null, false, "2001:db8:1:2::-64")]
    public void Resolves_the_address_a_window_counts_against(string remote, string? forwardedFor, bool trust, string expected) =>
        Assert.Equal(expected, ClientAddress.Resolve(IPAddress.Parse(remote), forwardedFor, trust));

    [Fact]
    public void Without_a_peer_address_every_such_call_shares_one_window() =>
        Assert.Equal(ClientAddress.Unknown, ClientAddress.Resolve(null, null, false));
}
