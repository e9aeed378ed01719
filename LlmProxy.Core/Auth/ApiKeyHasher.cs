using System.Security.Cryptography;
using System.Text;

namespace LlmProxy.Core.Auth;

/// <summary>
/// Keys are 32 random bytes, so a plain SHA-256 is enough to store them: there is nothing to brute-force that a
/// slow hash would protect.
/// </summary>
public static class ApiKeyHasher
{
    public const string KeyPrefix = "lpk_";

    /// <summary>Publishable keys read differently, so one pasted into a page is known at a glance for what it is.</summary>
    public const string PublishableKeyPrefix = "lp-pk-";

    /// <summary>Platform keys too, so that a log line or a leaked snippet says which kind of key it is.</summary>
    public const string PlatformKeyPrefix = "lp-plat-";

    public static string NewKey(string kind = ApiKeyKinds.Secret) => kind switch
    {
        ApiKeyKinds.Publishable => PublishableKeyPrefix,
        ApiKeyKinds.Platform => PlatformKeyPrefix,
        _ => KeyPrefix,
    } + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static bool LooksPublishable(string? key) => key?.StartsWith(PublishableKeyPrefix, StringComparison.Ordinal) == true;

    public static string NewKeyId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Compares two secrets in time that does not depend on where they differ.</summary>
    public static bool SecretEquals(string? presented, string? expected)
    {
        if (presented is null || expected is null) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
