using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.EndUserTokens;

/// <summary>The token format and its verification, attacked the ways a page or a script could: no host needed.</summary>
public sealed class EndUserTokenSignerTests
{
    private const string KeyA = "first-signing-key-0123456789abcdefghij";
    private const string KeyB = "second-signing-key-0123456789abcdefghij";

    private static readonly EndUserToken Ana = new()
    {
        TenantId = "acme",
        UserId = "ana",
        IssuedAt = 1_800_000_000,
        ExpiresAt = 1_800_000_900,
        Limits = new EndUserLimits { TokenLimit = 5000, RequestsPerMinute = 3 },
        AllowedModels = ["mock/echo"],
    };

    internal static EndUserTokenSigner Signer(string? signingKey, string? previous = null, string environment = "Production", FakeLogger<EndUserTokenSigner>? log = null) =>
        new(Options.Create(new EndUserTokenOptions { SigningKey = signingKey, PreviousSigningKey = previous }),
            new HostingEnvironment { EnvironmentName = environment }, log ?? new FakeLogger<EndUserTokenSigner>());

    private static (string KeyId, string Payload, string Mac) Parts(string token)
    {
        var parts = token["lp-ut-".Length..].Split('.');
        Assert.Equal(3, parts.Length);
        return (parts[0], parts[1], parts[2]);
    }

    [Fact]
    public void A_signed_token_reads_back_as_signed_and_has_the_documented_shape()
    {
        var token = Signer(KeyA).Sign(Ana);

        Assert.Matches("^lp-ut-[A-Za-z0-9_-]{8}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$", token);
        var read = Signer(KeyA).Verify(token);
        Assert.NotNull(read);
        Assert.Equal((Ana.TenantId, Ana.UserId, Ana.IssuedAt, Ana.ExpiresAt, Ana.Limits), (read.TenantId, read.UserId, read.IssuedAt, read.ExpiresAt, read.Limits));
        Assert.Equal(Ana.AllowedModels, read.AllowedModels);
        // The payload is readable (a page may read its expiry); it is the MAC that makes it trusted.
        Assert.Equal("""{"tenantId":"acme","userId":"ana","iat":1800000000,"exp":1800000900,"limits":{"tokenLimit":5000,"requestsPerMinute":3},"allowedModels":["mock/echo"]}""",
            Encoding.UTF8.GetString(Base64Url.DecodeFromChars(Parts(token).Payload)));
    }

    [Fact]
    public void Forgeries_in_the_right_shape_with_random_or_well_formed_payloads_are_refused()
    {
        var signer = Signer(KeyA);
        var keyId = Parts(signer.Sign(Ana)).KeyId;
        // What a forger would write: the claims they want, with a real key id, under a guessed MAC.
        var wanted = Base64Url.EncodeToString("""{"tenantId":"acme","userId":"mallory","iat":1800000000,"exp":4000000000}"""u8);
        for (var i = 0; i < 200; i++)
        {
            var payload = i % 2 == 0 ? wanted : Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(1, 300)));
            var mac = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            Assert.Null(signer.Verify($"lp-ut-{keyId}.{payload}.{mac}"));
        }
    }

    [Fact]
    public void A_payload_changed_by_one_byte_with_its_mac_kept_is_refused()
    {
        var signer = Signer(KeyA);
        var (keyId, payload, mac) = Parts(signer.Sign(Ana));
        var bytes = Base64Url.DecodeFromChars(payload);
        var json = Encoding.UTF8.GetString(bytes);

        // Every single byte flipped, and the edits an attacker would want: another user, a later expiry, no limits.
        for (var i = 0; i < bytes.Length; i++)
        {
            var altered = (byte[])bytes.Clone();
            altered[i] ^= 0x01;
            Assert.Null(signer.Verify($"lp-ut-{keyId}.{Base64Url.EncodeToString(altered)}.{mac}"));
        }
        foreach (var edit in new[] { json.Replace("\"ana\"", "\"bob\""), json.Replace("1800000900", "1900000900"), json.Replace("5000", "9000"), json.Replace("acme", "evil") })
            Assert.Null(signer.Verify($"lp-ut-{keyId}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(edit))}.{mac}"));
    }

    [Fact]
    public void The_mac_of_one_token_does_not_carry_another_payload()
    {
        var signer = Signer(KeyA);
        var ana = Parts(signer.Sign(Ana));
        var bob = Parts(signer.Sign(Ana with { UserId = "bob" }));

        Assert.Null(signer.Verify($"lp-ut-{ana.KeyId}.{bob.Payload}.{ana.Mac}"));
    }

    [Fact]
    public void A_token_signed_with_a_key_the_proxy_does_not_hold_is_refused_even_under_the_right_key_id()
    {
        var foreign = Parts(Signer(KeyB).Sign(Ana));
        var ours = Parts(Signer(KeyA).Sign(Ana));

        Assert.NotEqual(foreign.KeyId, ours.KeyId);
        Assert.Null(Signer(KeyA).Verify($"lp-ut-{foreign.KeyId}.{foreign.Payload}.{foreign.Mac}"));
        Assert.Null(Signer(KeyA).Verify($"lp-ut-{ours.KeyId}.{foreign.Payload}.{foreign.Mac}"));
    }

    [Fact]
    public void During_a_rotation_tokens_of_the_previous_key_still_verify_and_new_ones_are_signed_with_the_new_key()
    {
        var old = Signer(KeyA).Sign(Ana);
        var rotating = Signer(KeyB, previous: KeyA);
        var fresh = rotating.Sign(Ana);

        Assert.NotNull(rotating.Verify(old));
        Assert.NotNull(rotating.Verify(fresh));
        Assert.NotEqual(Parts(old).KeyId, Parts(fresh).KeyId);
        Assert.Equal(Parts(fresh).KeyId, Parts(Signer(KeyB).Sign(Ana)).KeyId);
        // Once the previous key is dropped, its tokens end.
        Assert.Null(Signer(KeyB).Verify(old));
        Assert.NotNull(Signer(KeyB).Verify(fresh));
    }

    [Theory]
    [InlineData("")]
    [InlineData("lp-ut-")]
    [InlineData("lp-ut-..")]
    [InlineData("lp-ut-abc")]
    [InlineData("lp-ut-abc.def")]
    [InlineData("lpk_abc.def.ghi")]
    [InlineData("lp-pk-abc.def.ghi")]
    public void Malformed_tokens_are_refused(string presented) => Assert.Null(Signer(KeyA).Verify(presented));

    [Fact]
    public void Odd_characters_padding_and_overlong_tokens_are_refused_unread()
    {
        var signer = Signer(KeyA);
        var token = signer.Sign(Ana);
        var (keyId, payload, mac) = Parts(token);

        Assert.Null(signer.Verify(token + "="));
        Assert.Null(signer.Verify($"lp-ut-{keyId}.{payload}é.{mac}"));
        Assert.Null(signer.Verify($"lp-ut-{keyId}.{payload}.{mac}.{mac}"));
        Assert.Null(signer.Verify($"lp-ut-{keyId}.{payload}.{payload}.{mac}"));
        Assert.Null(signer.Verify($"lp-ut-{keyId}.{payload}.{mac[..^1]}"));
        Assert.Null(signer.Verify($"lp-ut-{keyId}.{payload}.{mac}AAAA"));
        Assert.Null(signer.Verify($"lp-ut-{keyId}.{payload}{new string('A', EndUserTokenSigner.MaxLength)}.{mac}"));
    }

    [Fact]
    public void Without_a_signing_key_outside_Development_nothing_is_issued_or_accepted()
    {
        var signer = Signer(null);

        var error = Assert.Throws<ProxyException>(() => signer.Sign(Ana));
        Assert.Equal((503, ErrorTypes.NotConfigured), (error.Status, error.Type));
        Assert.Null(signer.Verify(Signer(KeyA).Sign(Ana)));
    }

    [Fact]
    public void In_Development_without_a_signing_key_one_is_generated_per_process_and_the_log_says_so()
    {
        var log = new FakeLogger<EndUserTokenSigner>();
        var signer = Signer(null, environment: Environments.Development, log: log);

        Assert.NotNull(signer.Verify(signer.Sign(Ana)));
        Assert.Null(Signer(null, environment: Environments.Development).Verify(signer.Sign(Ana)));
        Assert.Contains("generated at start-up", log.Collector.LatestRecord.Message);
    }
}
