using System.Text.Json.Serialization;

namespace LlmProxy.Core.Auth.EndUsers;

/// <summary>The body of <c>POST /api/tokens</c>. A misspelt field is refused, not ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NewEndUserToken
{
    public string? UserId { get; init; }
    public int? ExpiresInSeconds { get; init; }
    public EndUserLimits? Limits { get; init; }
    public List<string>? AllowedModels { get; init; }
}

/// <summary>The answer of <c>POST /api/tokens</c>.</summary>
public sealed record IssuedEndUserToken(string Token, DateTimeOffset ExpiresAt);
