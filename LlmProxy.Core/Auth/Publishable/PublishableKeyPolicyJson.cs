using System.Text.Json;
using LlmProxy.Core.Serialization;

namespace LlmProxy.Core.Auth.Publishable;

/// <summary>How both key stores keep a publishable key's policy: one JSON text beside the key's kind.</summary>
public static class PublishableKeyPolicyJson
{
    public static string? Write(PublishableKeyPolicy? policy) =>
        policy is null ? null : JsonSerializer.Serialize(policy, ProxyDocumentsJsonContext.Default.PublishableKeyPolicy);

    /// <summary>A publishable key without a readable policy is a corrupt row; failing loudly beats treating it as a secret key.</summary>
    public static PublishableKeyPolicy? Read(string kind, string? json) => kind switch
    {
        ApiKeyKinds.Secret or ApiKeyKinds.Platform => null,
        ApiKeyKinds.Publishable when json is not null => JsonSerializer.Deserialize(json, ProxyDocumentsJsonContext.Default.PublishableKeyPolicy)
            ?? throw new InvalidDataException("A publishable key's stored policy is null."),
        _ => throw new InvalidDataException($"A stored key has kind '{kind}' without the policy it needs."),
    };
}
