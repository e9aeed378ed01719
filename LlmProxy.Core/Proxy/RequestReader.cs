using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Nodes;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Messages;
using LlmProxy.Core.Providers.Anthropic;
using LlmProxy.Core.Serialization;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// Turns the two front doors' bodies into a <see cref="ProxyCall"/>: the seed body
/// (<c>{provider, model, tenantId, userId, ...}</c>) and the OpenAI-compatible one (<c>model: "provider/model"</c> or
/// a bare model name, <c>user</c> as the user id). Everything else is the same canonical request.
/// </summary>
public sealed class RequestReader(IOptions<ProxyOptions> options, RequestValidator validator, ModelNames models)
{
    private static readonly string[] SeedOnlyFields = ["provider", "tenantId", "userId", CacheField];
    private static readonly string[] ProxyOnlyFields = [CacheField];

    /// <summary><c>"cache": false</c> in a body skips the response cache; it is the proxy's, never sent to a vendor.</summary>
    public const string CacheField = "cache";

    /// <param name="caller">
    /// Who is calling: a tenant's key (a body <c>tenantId</c> must be its tenant) or a platform key (the body's
    /// <c>tenantId</c>, else <paramref name="headerTenant"/>, names the tenant). With an end-user token the call is the
    /// token's user's: a body <c>userId</c> (or <c>user</c>) must equal it.
    /// </param>
    /// <param name="headerTenant">The <c>X-Tenant-Id</c> header, if any.</param>
    public ProxyCall ReadSeed(ReadOnlySpan<byte> body, CallerIdentity caller, string? headerTenant = null)
    {
        var request = Deserialize(body);
        var extra = request.AdditionalProperties;
        var noCache = CacheDisabled(extra);
        var provider = StringField(extra, "provider") ?? throw ProxyException.BadRequest("'provider' is required (e.g. \"openai\" or \"mock\").", "provider");
        var tenantId = caller.TenantFor(StringField(extra, "tenantId") ?? headerTenant);
        var userId = StringField(extra, "userId") ?? request.User;
        if (caller.EndUser?.UserId is { } callerUserId)
        {
            SameUser(callerUserId, StringField(extra, "userId"), "userId");
            SameUser(callerUserId, request.User, "user");
            userId = callerUserId;
        }
        return Complete(request, Without(extra, SeedOnlyFields), provider.Trim().ToLowerInvariant(), request.Model, tenantId, userId, noCache);
    }

    public ProxyCall ReadOpenAICompatible(ReadOnlySpan<byte> body, string callerTenantId)
    {
        var request = Deserialize(body);
        var noCache = CacheDisabled(request.AdditionalProperties);
        var model = request.Model;
        if (string.IsNullOrWhiteSpace(model)) throw ProxyException.BadRequest("'model' is required, as \"provider/model\" (e.g. \"mock/echo\").", "model");
        var (provider, vendorModel) = models.Resolve(model);
        return Complete(request, Without(request.AdditionalProperties, ProxyOnlyFields), provider, vendorModel,
            callerTenantId, request.User, noCache) with
        {
            RequestedModel = model,
            IncludeUsageChunk = request.StreamOptions?.IncludeUsage == true,
        };
    }

    /// <summary>The vendor and model of an OpenAI-style <c>model</c> field, <c>"provider/model"</c>; 400 otherwise.</summary>
    internal static (string Provider, string Model) ProviderAndModel(string? model, string example)
    {
        if (string.IsNullOrWhiteSpace(model)) throw ProxyException.BadRequest($"'model' is required, as \"provider/model\" (e.g. \"{example}\").", "model");
        var slash = model.IndexOf('/');
        if (slash <= 0 || slash == model.Length - 1)
            throw ProxyException.BadRequest($"'model' must be \"provider/model\" (e.g. \"{example}\"); got \"{model}\".", "model");
        return (model[..slash].ToLowerInvariant(), model[(slash + 1)..]);
    }

    /// <summary>
    /// The Anthropic-compatible door (<c>POST /v1/messages</c>): <c>anthropic/&lt;model&gt;</c> or a bare
    /// <c>claude-…</c> name passes the body through to Anthropic as it is; <c>&lt;provider&gt;/&lt;model&gt;</c> is translated
    /// for that vendor. <c>metadata.user_id</c> is the user id.
    /// </summary>
    /// <param name="beta">The caller's <c>anthropic-beta</c> header, passed on to Anthropic.</param>
    public ProxyCall ReadMessages(ReadOnlySpan<byte> body, string callerTenantId, string? beta)
    {
        if (body.IsEmpty) throw ProxyException.BadRequest("The request body is empty; a JSON object is expected.");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject ?? throw ProxyException.BadRequest("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw ProxyException.BadRequest($"The request body is not valid JSON: {FirstSentence(e.Message)}");
        }
        var model = json["model"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        if (string.IsNullOrWhiteSpace(model)) throw ProxyException.BadRequest("model: Field required (\"anthropic/<model>\", a claude-… name, or \"<provider>/<model>\").", "model");
        var slash = model.IndexOf('/');
        var (provider, vendorModel) = slash > 0 && slash < model.Length - 1 ? (model[..slash].ToLowerInvariant(), model[(slash + 1)..])
            : model.StartsWith("claude-", StringComparison.Ordinal) ? (AnthropicProvider.ProviderName, model)
            : throw ProxyException.BadRequest($"model: \"{model}\" is neither \"<provider>/<model>\" nor a claude-… name.", "model");
        var passthrough = provider == AnthropicProvider.ProviderName;
        ChatRequest request;
        try
        {
            request = new MessagesTranslation(passthrough).Translate(json);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A field of the wrong JSON type.
            throw ProxyException.BadRequest($"The body does not follow the Messages API: {e.Message}");
        }
        if (passthrough) request = request with { Native = new NativeRequest(json, beta) };
        return Complete(request, request.AdditionalProperties, provider, vendorModel, callerTenantId, request.User, noCache: false);
    }

    /// <param name="extra">The body's other fields, less the proxy's own: they go to the vendor.</param>
    private ProxyCall Complete(ChatRequest request, Dictionary<string, JsonElement>? extra, string provider, string? model, string tenantId, string? userId, bool noCache)
    {
        if (string.IsNullOrWhiteSpace(model)) throw ProxyException.BadRequest("'model' is required.", "model");
        var settings = options.Value;
        var call = new ProxyCall(request with { Model = model, AdditionalProperties = extra }, provider, model,
            tenantId, userId ?? settings.DefaultUserId) { NoCache = noCache };
        validator.Validate(call);
        return call;
    }

    /// <summary>With an end-user token the call is the token's user's: the body may repeat that user but name no other.</summary>
    private static void SameUser(string tokenUserId, string? requestedUser, string field)
    {
        if (requestedUser is not null && requestedUser != tokenUserId)
            throw new ProxyException(403, ErrorTypes.PermissionDenied, $"The end-user token is for another user than the body's '{field}'.", field);
    }


    private static ChatRequest Deserialize(ReadOnlySpan<byte> body) => Deserialize(body, ProxyJsonContext.Default.ChatRequest);

    /// <summary>The body as <typeparamref name="T"/>; a 400 naming where it went wrong otherwise.</summary>
    internal static T Deserialize<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type) where T : class
    {
        if (body.IsEmpty) throw ProxyException.BadRequest("The request body is empty; a JSON object is expected.");
        if (LoneSurrogates.Find(body, out var field))
            throw ProxyException.BadRequest($"The request body holds a string with a lone UTF-16 surrogate (a \\ud800-\\udfff escape without its pair){(field is null ? "" : $" near '{field}'")}; text must be valid Unicode.");
        try
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw ProxyException.BadRequest("The request body must be a JSON object, not null.");
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            throw new ProxyException(400, ErrorTypes.InvalidRequest, $"The request body is not valid{where}: {FirstSentence(e.Message)}", ParamOf(e.Path));
        }
    }

    internal static bool CacheDisabled(Dictionary<string, JsonElement>? extra)
    {
        if (extra is null || !extra.TryGetValue(CacheField, out var value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.False => true,
            JsonValueKind.True or JsonValueKind.Null => false,
            _ => throw ProxyException.BadRequest($"'{CacheField}' must be a boolean.", CacheField),
        };
    }

    private static string? StringField(Dictionary<string, JsonElement>? extra, string name)
    {
        if (extra is null || !extra.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw ProxyException.BadRequest($"'{name}' must be a string.", name);
        return value.GetString();
    }

    private static Dictionary<string, JsonElement>? Without(Dictionary<string, JsonElement>? extra, string[] names)
    {
        if (extra is null) return null;
        var found = false;
        foreach (var name in names) found |= extra.ContainsKey(name);
        if (!found) return extra;
        var copy = new Dictionary<string, JsonElement>(extra);
        foreach (var name in names) copy.Remove(name);
        return copy.Count == 0 ? null : copy;
    }

    private static string? ParamOf(string? path) =>
        path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
