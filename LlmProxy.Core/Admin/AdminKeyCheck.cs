using System.Security.Cryptography;
using System.Text;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Admin;

/// <summary>
/// The admin API's one gate: the presented key must equal <c>LlmProxy:Admin:ApiKey</c>. Compared in constant
/// time over fixed-length hashes, so neither the key's content nor its length leaks through timing.
/// </summary>
public sealed class AdminKeyCheck(IOptionsMonitor<AdminOptions> options)
{
    public const string Header = "X-Admin-Key";

    public void Demand(string? presentedKey)
    {
        var expected = options.CurrentValue.ApiKey;
        if (string.IsNullOrEmpty(expected))
            throw new ProxyException(403, ErrorTypes.PermissionDenied, "The admin API is disabled: set LlmProxy:Admin:ApiKey to enable it.");
        if (string.IsNullOrEmpty(presentedKey))
            throw new ProxyException(401, ErrorTypes.Authentication, $"The admin API needs the admin key in the {Header} header (or as 'Authorization: Bearer').");
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
            throw new ProxyException(401, ErrorTypes.Authentication, "The admin key is not valid.");
    }
}
