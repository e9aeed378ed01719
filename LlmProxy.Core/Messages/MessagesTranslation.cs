using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Messages;

/// <summary>
/// An Anthropic Messages request as the canonical request. Two uses: a call for another vendor is translated
/// (anything without an OpenAI equivalent is a 400 <c>unsupported_parameter</c> naming it); a call passed through to
/// Anthropic is projected (every block kept as text or parts, so the quota's bound, the cache key and the request log
/// see all that is sent, while the native body goes to Anthropic untouched).
/// </summary>
internal sealed class MessagesTranslation(bool passthrough)
{
    /// <summary>Fields whose meaning the canonical request carries.</summary>
    private static readonly HashSet<string> Translated =
        ["model", "messages", "system", "max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "stream", "metadata", "tools", "tool_choice"];

    public ChatRequest Translate(JsonObject body)
    {
        if (!passthrough)
            foreach (var (name, _) in body)
                if (!Translated.Contains(name)) throw Unsupported(name, $"'{name}' is Anthropic's own; only Anthropic models take it");

        var messages = new List<ChatMessage>();
        if (body["system"] is { } system) messages.Add(new ChatMessage { Role = ChatRoles.System, Content = MessageContent.FromText(SystemText(system)) });
        if (body["messages"] is not JsonArray { Count: > 0 } turns) throw ProxyException.BadRequest("messages: Field required (a non-empty array).", "messages");
        for (var i = 0; i < turns.Count; i++)
        {
            if (turns[i] is not JsonObject turn) throw ProxyException.BadRequest($"messages.{i}: must be an object.", $"messages.{i}");
            var role = turn["role"]?.GetValueKind() == JsonValueKind.String ? turn["role"]!.GetValue<string>() : null;
            if (role is not (ChatRoles.User or ChatRoles.Assistant))
                throw ProxyException.BadRequest($"messages.{i}.role: Input should be 'user' or 'assistant'.", $"messages.{i}.role");
            messages.AddRange(role == ChatRoles.User ? User(turn["content"], $"messages.{i}") : [Assistant(turn["content"], $"messages.{i}")]);
        }

        var maxTokens = Number(body, "max_tokens") ?? throw ProxyException.BadRequest("max_tokens: Field required.", "max_tokens");
        var extra = new Dictionary<string, JsonElement>();
        if (body["top_k"] is { } topK) extra["top_k"] = Element(topK);
        return new ChatRequest
        {
            Messages = messages,
            MaxTokens = (int)Math.Min(maxTokens, int.MaxValue),
            Temperature = Double(body, "temperature"),
            TopP = Double(body, "top_p"),
            Stop = Of(body["stop_sequences"], "stop_sequences", "a list of strings", n => n is JsonArray stops && stops.All(s => s?.GetValueKind() == JsonValueKind.String)
                ? stops.Select(s => s!.GetValue<string>()).ToList() : null),
            Stream = Boolean(body["stream"], "stream") == true ? true : null,
            User = Of(body["metadata"], "metadata", "an object", n => n as JsonObject) is { } metadata
                ? Of(metadata["user_id"], "metadata.user_id", "a string", n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null) : null,
            Tools = Of(body["tools"], "tools", "a list", n => n as JsonArray)?.Select((t, i) => Tool(t, $"tools.{i}")).ToList(),
            ToolChoice = Choice(body["tool_choice"]),
            ParallelToolCalls = Boolean(body["tool_choice"]?["disable_parallel_tool_use"], "tool_choice.disable_parallel_tool_use") == true ? false : null,
            AdditionalProperties = extra.Count == 0 ? null : extra,
        };
    }

    private string SystemText(JsonNode system) => system switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonArray blocks => string.Join("\n\n", blocks.Select((b, i) => BlockText(b, $"system.{i}"))),
        _ => throw ProxyException.BadRequest("system: Input should be a valid string or list of text blocks.", "system"),
    };

    private string BlockText(JsonNode? block, string path) => block?["type"]?.GetValue<string>() == "text" && block["text"] is { } text
        ? text.GetValue<string>()
        : passthrough ? block?.ToJsonString() ?? "" : throw Unsupported(path, $"a '{block?["type"]}' block has no equivalent outside Anthropic");

    /// <summary>A user turn: its tool results become tool messages, ahead of whatever else the turn says.</summary>
    private List<ChatMessage> User(JsonNode? content, string path)
    {
        if (content is JsonValue text) return [new ChatMessage { Role = ChatRoles.User, Content = MessageContent.FromText(text.GetValue<string>()) }];
        if (content is not JsonArray blocks) throw ProxyException.BadRequest($"{path}.content: Input should be a valid string or list.", $"{path}.content");
        var result = new List<ChatMessage>();
        var parts = new List<ContentPart>();
        for (var j = 0; j < blocks.Count; j++)
        {
            var block = blocks[j]!;
            var at = $"{path}.content.{j}";
            switch (block["type"]?.GetValue<string>())
            {
                case "tool_result":
                    result.Add(new ChatMessage
                    {
                        Role = ChatRoles.Tool,
                        ToolCallId = block["tool_use_id"]?.GetValue<string>(),
                        Content = MessageContent.FromText((Boolean(block["is_error"], $"{at}.is_error") == true ? "Error: " : "") + ResultText(block["content"], at)),
                    });
                    break;
                case "text":
                    parts.Add(new ContentPart { Type = ContentPartTypes.Text, Text = block["text"]?.GetValue<string>() });
                    break;
                case "image":
                    parts.Add(Image(block, at));
                    break;
                default:
                    parts.Add(new ContentPart { Type = ContentPartTypes.Text, Text = BlockText(block, at) });
                    break;
            }
        }
        if (parts.Count > 0) result.Add(new ChatMessage { Role = ChatRoles.User, Content = MessageContent.FromParts(parts) });
        return result;
    }

    private string ResultText(JsonNode? content, string path) => content switch
    {
        null => "",
        JsonValue value => value.GetValue<string>(),
        JsonArray blocks => string.Concat(blocks.Select((b, i) => BlockText(b, $"{path}.content.{i}"))),
        _ => throw ProxyException.BadRequest($"{path}.content: Input should be a valid string or list.", $"{path}.content"),
    };

    private ContentPart Image(JsonNode block, string path)
    {
        var source = block["source"];
        var url = source?["type"]?.GetValue<string>() switch
        {
            "base64" => $"data:{source["media_type"]?.GetValue<string>()};base64,{source["data"]?.GetValue<string>()}",
            "url" => source["url"]?.GetValue<string>(),
            _ => null,
        };
        return url is null
            ? passthrough ? new ContentPart { Type = ContentPartTypes.Text, Text = block.ToJsonString() } : throw Unsupported($"{path}.source", "only base64 and url images translate")
            : new ContentPart { Type = ContentPartTypes.ImageUrl, ImageUrl = new ImageUrl { Url = url } };
    }

    /// <summary>
    /// An assistant turn: text, and <c>tool_use</c> blocks as OpenAI's calls. Earlier turns' thinking is left out when
    /// translating, as Anthropic itself leaves it out of the context; a passthrough counts it as reasoning.
    /// </summary>
    private ChatMessage Assistant(JsonNode? content, string path)
    {
        if (content is JsonValue text) return new ChatMessage { Role = ChatRoles.Assistant, Content = MessageContent.FromText(text.GetValue<string>()) };
        if (content is not JsonArray blocks) throw ProxyException.BadRequest($"{path}.content: Input should be a valid string or list.", $"{path}.content");
        var texts = new List<string>();
        var reasoning = new List<string>();
        var calls = new List<ChatToolCall>();
        for (var j = 0; j < blocks.Count; j++)
        {
            var block = blocks[j]!;
            switch (block["type"]?.GetValue<string>())
            {
                case "text":
                    texts.Add(block["text"]?.GetValue<string>() ?? "");
                    break;
                case "tool_use":
                    calls.Add(new ChatToolCall
                    {
                        Id = block["id"]?.GetValue<string>(),
                        Type = ToolTypes.Function,
                        Function = new ChatFunctionCall { Name = block["name"]?.GetValue<string>(), Arguments = block["input"]?.ToJsonString() ?? "{}" },
                    });
                    break;
                case "thinking" or "redacted_thinking":
                    if (passthrough) reasoning.Add(block.ToJsonString());
                    break;
                default:
                    texts.Add(BlockText(block, $"{path}.content.{j}"));
                    break;
            }
        }
        return new ChatMessage
        {
            Role = ChatRoles.Assistant,
            Content = texts.Count == 0 && calls.Count > 0 ? null : MessageContent.FromText(string.Concat(texts)),
            ToolCalls = calls.Count > 0 ? calls : null,
            ReasoningContent = reasoning.Count > 0 ? string.Concat(reasoning) : null,
        };
    }

    /// <summary>A custom tool as a function; Anthropic's server tools (web search, code execution, ...) exist on Anthropic only.</summary>
    private ChatTool Tool(JsonNode? tool, string path)
    {
        var type = tool?["type"]?.GetValue<string>();
        if (type is not (null or "custom"))
        {
            if (!passthrough) throw Unsupported($"{path}.type", $"'{type}' is one of Anthropic's server tools");
            return new ChatTool { Type = ToolTypes.Function, Function = new ChatFunction { Name = tool!["name"]?.GetValue<string>() ?? type, Description = tool.ToJsonString() } };
        }
        return new ChatTool
        {
            Type = ToolTypes.Function,
            Function = new ChatFunction
            {
                Name = tool!["name"]?.GetValue<string>(),
                Description = tool["description"]?.GetValue<string>(),
                Parameters = tool["input_schema"] is JsonObject schema ? Element(schema) : null,
                Strict = Boolean(tool["strict"], $"{path}.strict") == true ? true : null,
            },
        };
    }

    private static ToolChoice? Choice(JsonNode? choice) => choice?["type"]?.GetValue<string>() switch
    {
        null => null,
        "auto" => new ToolChoice { Mode = ToolChoice.Auto },
        "any" => new ToolChoice { Mode = ToolChoice.Required },
        "none" => new ToolChoice { Mode = ToolChoice.None },
        "tool" => new ToolChoice { FunctionName = choice["name"]?.GetValue<string>() },
        var other => throw ProxyException.BadRequest($"tool_choice.type: '{other}' is not one of auto, any, tool, none.", "tool_choice"),
    };

    private static long? Number(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number
        : body[name] is null ? null : throw ProxyException.BadRequest($"{name}: Input should be a valid integer.", name);

    private static double? Double(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>()
        : body[name] is null ? null : throw ProxyException.BadRequest($"{name}: Input should be a valid number.", name);

    /// <summary>
    /// A field read as <paramref name="read"/> makes it, or null when absent; one of another JSON type is a 400 rather
    /// than a field the translation would leave out.
    /// </summary>
    private static T? Of<T>(JsonNode? node, string name, string expected, Func<JsonNode, T?> read) where T : class =>
        node is null ? null : read(node) ?? throw ProxyException.BadRequest($"{name}: Input should be {expected}.", name);

    private static bool? Boolean(JsonNode? node, string name) => node?.GetValueKind() switch
    {
        null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw ProxyException.BadRequest($"{name}: Input should be a valid boolean.", name),
    };

    private static JsonElement Element(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    private static ProxyException Unsupported(string path, string why) =>
        new(400, ErrorTypes.UnsupportedParameter, $"'{path}' cannot be translated for this vendor: {why}.", path);
}
