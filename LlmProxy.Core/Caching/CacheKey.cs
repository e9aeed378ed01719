using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;

namespace LlmProxy.Core.Caching;

/// <summary>
/// The cache key: SHA-256 over the tenant, vendor, model, whether it streams, and the canonical request with every
/// generation parameter. The tenant is part of the key, so no answer ever crosses tenants. Fields that do not
/// change the answer (the end-user id, stream options) are left out; unknown fields are sorted so their order
/// in the body does not matter.
/// </summary>
public static class CacheKey
{
    public static string For(ProxyCall call)
    {
        var request = call.Request;
        var canonical = request with
        {
            User = null,
            Stream = null,
            StreamOptions = null,
            AdditionalProperties = request.AdditionalProperties is { } extra
                ? new Dictionary<string, JsonElement>(extra.OrderBy(p => p.Key, StringComparer.Ordinal))
                : null,
        };
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{call.TenantId}\n{call.Provider}\n{call.Model}\n{(call.Stream ? "stream" : "whole")}\n"));
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(canonical, ProxyJsonContext.Default.ChatRequest));
        // A passthrough is answered from its native body, which holds what the projection does not (thinking, cache_control).
        if (request.Native is { } native) hash.AppendData(Encoding.UTF8.GetBytes($"\nnative\n{native.Beta}\n{native.Body.ToJsonString()}"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// An embeddings call's key: tenant, vendor, model, vector length, input type and every text, each text
    /// length-prefixed so that no two lists of texts hash alike. The encoding is left out: the cache keeps the
    /// vectors, and either encoding is written from them.
    /// </summary>
    public static string For(EmbeddingCall call)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"embeddings\n{call.TenantId}\n{call.Provider}\n{call.Model}\n{call.Dimensions}\n{call.InputType}\n{call.Inputs.Count}\n"));
        foreach (var input in call.Inputs)
        {
            var bytes = Encoding.UTF8.GetBytes(input);
            hash.AppendData(Encoding.UTF8.GetBytes($"{bytes.Length}:"));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
