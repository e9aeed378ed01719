using System.Buffers.Text;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Proxy;

/// <summary>Refuses what no vendor would accept, before any vendor is called, with a 400 that names the field.</summary>
public sealed class RequestValidator
{
    public const int MaxIdLength = 128;
    private static readonly string[] ImageMediaTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    public void Validate(ProxyCall call)
    {
        CheckTenantId(call.TenantId);
        CheckId(call.UserId, "userId");
        if (call.Model.Length > 256 || call.Model.Any(char.IsControl)) throw ProxyException.BadRequest("'model' is not a valid model name.", "model");

        var request = call.Request;
        if (request.Messages is not { Count: > 0 } messages)
            throw ProxyException.BadRequest("'messages' must be a non-empty array.", "messages");
        for (var i = 0; i < messages.Count; i++) CheckMessage(messages[i], $"messages[{i}]");

        if (request.Temperature is < 0 or > 2) throw ProxyException.BadRequest("'temperature' must be between 0 and 2.", "temperature");
        if (request.TopP is < 0 or > 1) throw ProxyException.BadRequest("'top_p' must be between 0 and 1.", "top_p");
        if (request.MaxTokens is < 1 or > 1_000_000) throw ProxyException.BadRequest("'max_tokens' must be between 1 and 1000000.", "max_tokens");
        if (request.MaxCompletionTokens is < 1 or > 1_000_000) throw ProxyException.BadRequest("'max_completion_tokens' must be between 1 and 1000000.", "max_completion_tokens");
        if (request.N is < 1 or > 16) throw ProxyException.BadRequest("'n' must be between 1 and 16.", "n");
        if (request.Stop is { Count: > 16 }) throw ProxyException.BadRequest("'stop' takes at most 16 sequences.", "stop");
        ToolRules.Check(request);
    }

    /// <summary>Refuses a tenant or user id that is empty, too long, or holds a character storage keys forbid.</summary>
    public static void CheckId(string id, string name)
    {
        if (id.Length is 0 or > MaxIdLength)
            throw ProxyException.BadRequest($"'{name}' must be 1 to {MaxIdLength} characters.", name);
        if (!IsValidId(id))
            throw ProxyException.BadRequest($"'{name}' must not contain '/', '\\', '#', '?' or control characters.", name);
    }

    /// <summary>
    /// A tenant id also refuses <c>|</c>: a publishable key counts its windows as the pseudo-tenants
    /// <c>pk|{keyId}|ip</c> and <c>pk|{keyId}|user</c>, which no real tenant may share.
    /// </summary>
    public static void CheckTenantId(string id, string name = "tenantId")
    {
        CheckId(id, name);
        if (id.Contains('|', StringComparison.Ordinal)) throw ProxyException.BadRequest($"'{name}' must not contain '|'.", name);
    }

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && !id.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    private static void CheckMessage(ChatMessage message, string path)
    {
        if (message.Role is null) throw ProxyException.BadRequest($"'{path}.role' is required.", $"{path}.role");
        if (!ChatRoles.IsKnown(message.Role))
            throw ProxyException.BadRequest($"'{path}.role' must be one of system, developer, user, assistant, tool; got '{message.Role}'.", $"{path}.role");
        ToolRules.CheckMessage(message, path);
        if (message.Content is null)
        {
            if (message.Role == ChatRoles.Assistant && message.ToolCalls is { Count: > 0 }) return;
            throw ProxyException.BadRequest($"'{path}.content' is required.", $"{path}.content");
        }
        if (message.Content.Parts is not { } parts) return;
        if (parts.Count == 0) throw ProxyException.BadRequest($"'{path}.content' must not be an empty array.", $"{path}.content");
        for (var i = 0; i < parts.Count; i++) CheckPart(parts[i], $"{path}.content[{i}]");
    }

    private static void CheckPart(ContentPart part, string path)
    {
        switch (part.Type)
        {
            case ContentPartTypes.Text:
                if (part.Text is null) throw ProxyException.BadRequest($"'{path}.text' is required for a text part.", $"{path}.text");
                break;
            case ContentPartTypes.ImageUrl:
                CheckImageUrl(part.ImageUrl?.Url, $"{path}.image_url.url");
                break;
            default:
                throw ProxyException.BadRequest($"'{path}.type' must be 'text' or 'image_url'; got '{part.Type}'.", $"{path}.type");
        }
    }

    private static void CheckImageUrl(string? url, string path)
    {
        if (string.IsNullOrWhiteSpace(url)) throw ProxyException.BadRequest($"'{path}' is required.", path);
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',');
            var header = comma > 0 ? url[5..comma] : "";
            var mediaType = header.Split(';')[0].ToLowerInvariant();
            if (!ImageMediaTypes.Contains(mediaType) || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
                throw ProxyException.BadRequest($"'{path}' must be a base64 data URL of a PNG, JPEG, GIF or WebP image.", path);
            if (!Base64.IsValid(url.AsSpan(comma + 1)) || comma + 1 == url.Length)
                throw ProxyException.BadRequest($"'{path}' holds invalid base64 data.", path);
            return;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw ProxyException.BadRequest($"'{path}' must be an http(s) URL or a data URL.", path);
    }
}
