using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Admin;

/// <summary>
/// The admin API's one gate: the presented key must equal <c>LlmProxy:Admin:ApiKey</c>. Compared in constant
/// time over fixed-length hashes, so neither the key's content nor its length leaks through timing; wrong keys are
/// paced per client address (<see cref="AdminSignInThrottle"/>).
/// </summary>
/// <param name="clients">Which address a caller is: the connection's peer, or the trusted front's X-Forwarded-For, as for publishable keys' windows.</param>
public sealed class AdminKeyCheck(IOptionsMonitor<AdminOptions> options, AdminSignInThrottle throttle, IOptions<PublishableKeyOptions> clients)
{
    public const string Header = "X-Admin-Key";

    public void Demand(string? presentedKey, IPAddress? remote, string? forwardedFor)
    {
        var expected = options.CurrentValue.ApiKey;
        if (string.IsNullOrEmpty(expected))
            throw new ProxyException(403, ErrorTypes.PermissionDenied, "The admin API is disabled: set LlmProxy:Admin:ApiKey (at least 32 characters, e.g. from openssl rand -base64 48) to enable it.");
        if (string.IsNullOrEmpty(presentedKey))
            throw new ProxyException(401, ErrorTypes.Authentication, $"The admin API needs the admin key in the {Header} header (or as 'Authorization: Bearer').");
        var right = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
        var address = ClientAddress.Resolve(remote, forwardedFor, clients.Value.TrustForwardedFor);
        if (throttle.Record(address, right) is { } wait)
            throw new ProxyException(429, ErrorTypes.RateLimited,
                $"Too many wrong admin keys from this address: try again in {Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s.", retryAfter: wait);
        if (!right) throw new ProxyException(401, ErrorTypes.Authentication, "The admin key is not valid.");
    }
}
