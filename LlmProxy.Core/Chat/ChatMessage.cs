using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Chat;

public sealed record ChatMessage
{
    public string? Role { get; init; }

    /// <summary>Written even when null, as OpenAI does for an assistant message that only calls tools.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public MessageContent? Content { get; init; }

    public string? Name { get; init; }
    public IReadOnlyList<ChatToolCall>? ToolCalls { get; init; }
    public string? ToolCallId { get; init; }
    public string? Refusal { get; init; }
    public string? ReasoningContent { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>Message content: either a plain string or a list of typed parts (text, image_url, ...).</summary>
[JsonConverter(typeof(MessageContentConverter))]
public sealed class MessageContent
{
    private MessageContent(string? text, IReadOnlyList<ContentPart>? parts)
    {
        Text = text;
        Parts = parts;
    }

    public string? Text { get; }
    public IReadOnlyList<ContentPart>? Parts { get; }

    public static MessageContent FromText(string text) => new(text, null);
    public static MessageContent FromParts(IReadOnlyList<ContentPart> parts) => new(null, parts);

    /// <summary>All text of the content, parts joined, for token estimates and echoing.</summary>
    public string JoinedText()
    {
        if (Text is not null) return Text;
        if (Parts is null) return string.Empty;
        return string.Join("\n", Parts.Where(p => p.Type == ContentPartTypes.Text && p.Text is not null).Select(p => p.Text));
    }
}

public static class ContentPartTypes
{
    public const string Text = "text";
    public const string ImageUrl = "image_url";
}

public sealed record ContentPart
{
    public string? Type { get; init; }
    public string? Text { get; init; }
    public ImageUrl? ImageUrl { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ImageUrl
{
    public string? Url { get; init; }
    public string? Detail { get; init; }
}

public static class ChatRoles
{
    public const string System = "system";
    public const string Developer = "developer";
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";

    public static bool IsKnown(string role) =>
        role is System or Developer or User or Assistant or Tool;
}
