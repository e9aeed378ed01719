using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Auth.EndUsers;

/// <summary>
/// Signs and verifies end-user tokens: <c>lp-ut-{keyId}.{payload}.{mac}</c>, where payload is the base64url JSON
/// of an <see cref="EndUserToken"/> and mac the base64url HMAC-SHA256 of everything before the last dot under the
/// signing key named by keyId. Verification touches nothing but the key id and the MAC before the MAC checks out
/// (compared in constant time); only then is the payload decoded and read as JSON.
/// </summary>
public sealed partial class EndUserTokenSigner
{
    public const string Prefix = "lp-ut-";

    /// <summary>Longer presented tokens are refused unread; issuing refuses to make one (too many allowed models).</summary>
    public const int MaxLength = 4096;

    private const int MacBytes = 32;

    /// <summary>Base64url of 32 bytes without padding: the one spelling of a MAC that is accepted.</summary>
    private const int MacChars = 43;

    private readonly SigningKey? _current;
    private readonly SigningKey[] _accepted;

    public EndUserTokenSigner(IOptions<EndUserTokenOptions> options, IHostEnvironment environment, ILogger<EndUserTokenSigner> log)
    {
        var settings = options.Value;
        if (!string.IsNullOrEmpty(settings.SigningKey)) _current = new SigningKey(Encoding.UTF8.GetBytes(settings.SigningKey));
        else if (environment.IsDevelopment())
        {
            _current = new SigningKey(RandomNumberGenerator.GetBytes(32));
            Log.SigningKeyGenerated(log);
        }
        var previous = string.IsNullOrEmpty(settings.PreviousSigningKey) ? null : new SigningKey(Encoding.UTF8.GetBytes(settings.PreviousSigningKey));
        _accepted = new[] { _current, previous }.OfType<SigningKey>().ToArray();
    }

    public static bool LooksLikeToken(string? presented) => presented?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    /// <summary>A 503 when no signing key is configured: tokens cannot be issued then.</summary>
    public string Sign(EndUserToken token)
    {
        var key = _current ?? throw new ProxyException(503, ErrorTypes.NotConfigured,
            "End-user tokens are not set up on this proxy: an operator must set LlmProxy:EndUserTokens:SigningKey.");
        var signed = Prefix + key.Id + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(token, ProxyDocumentsJsonContext.Default.EndUserToken));
        var text = signed + "." + Base64Url.EncodeToString(Mac(key, Encoding.ASCII.GetBytes(signed)));
        return text.Length <= MaxLength ? text
            : throw ProxyException.BadRequest($"The token would be longer than {MaxLength} characters; allow fewer models.", "allowedModels");
    }

    /// <summary>The token's content when it was signed by an accepted key and not altered; null otherwise. Expiry is the caller's to check.</summary>
    public EndUserToken? Verify(string presented)
    {
        if (presented.Length > MaxLength || !LooksLikeToken(presented)) return null;
        var rest = presented.AsSpan(Prefix.Length);
        var keyEnd = rest.IndexOf('.');
        var macStart = rest.LastIndexOf('.') + 1;
        if (keyEnd <= 0 || macStart <= keyEnd + 1 || rest.Length - macStart != MacChars) return null;
        var key = Find(rest[..keyEnd]);
        if (key is null) return null;

        Span<byte> presentedMac = stackalloc byte[MacBytes + 3];
        if (!Base64Url.TryDecodeFromChars(rest[macStart..], presentedMac, out var macLength) || macLength != MacBytes) return null;
        var signed = presented.AsSpan(0, Prefix.Length + macStart - 1);
        if (!Ascii.IsValid(signed)) return null;
        var signedBytes = new byte[signed.Length];
        Encoding.ASCII.GetBytes(signed, signedBytes);
        if (!CryptographicOperations.FixedTimeEquals(presentedMac[..MacBytes], Mac(key, signedBytes))) return null;

        // Signed by us: from here on the payload is our own JSON.
        try
        {
            return JsonSerializer.Deserialize(Base64Url.DecodeFromChars(rest[(keyEnd + 1)..(macStart - 1)]), ProxyDocumentsJsonContext.Default.EndUserToken);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private SigningKey? Find(ReadOnlySpan<char> keyId)
    {
        foreach (var key in _accepted)
            if (keyId.SequenceEqual(key.Id)) return key;
        return null;
    }

    private static byte[] Mac(SigningKey key, byte[] signed) => HMACSHA256.HashData(key.Secret, signed);

    /// <summary>A signing secret and its public id: a hash of the secret, so rotating the secret changes the id with no setting of its own.</summary>
    private sealed class SigningKey(byte[] secret)
    {
        public byte[] Secret { get; } = secret;
        public string Id { get; } = Base64Url.EncodeToString(SHA256.HashData([.. "lp-ut key id:"u8, .. secret]))[..8];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
            Message = "End-user tokens are signed with a key generated at start-up (Development, LlmProxy:EndUserTokens:SigningKey unset): tokens stop working when this process ends.")]
        public static partial void SigningKeyGenerated(ILogger logger);
    }
}
