using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using static LlmProxy.Core.Proxy.BodyFields;

namespace LlmProxy.Core.Responses;

/// <summary>
/// An OpenAI Responses request as the canonical request, for every vendor alike: input items become chat messages
/// (<c>function_call</c> items an assistant's tool calls, <c>function_call_output</c> items tool messages),
/// <c>instructions</c> the system message, <c>text.format</c> the response format. Anything without a canonical
/// equivalent (hosted tools, reasoning settings, file inputs, ...) is a 400 <c>unsupported_parameter</c> naming it.
/// </summary>
internal static class ResponsesTranslation
{
    /// <summary>Fields whose meaning the canonical request (or the echo in the answer) carries.</summary>
    private static readonly HashSet<string> Translated =
    [
        "model", "input", "instructions", "tools", "tool_choice", "text", "max_output_tokens", "temperature", "top_p",
        "user", "metadata", "stream", "parallel_tool_calls", "store", "truncation", "include",
    ];

    /// <summary>OpenAI's hosted tools: they run on OpenAI's servers, which no other vendor (nor the proxy) has.</summary>
    private static readonly HashSet<string> Hosted =
    [
        "web_search", "web_search_preview", "file_search", "code_interpreter", "computer_use", "computer_use_preview",
        "image_generation", "mcp", "local_shell", "shell", "apply_patch",
    ];

    public static ChatRequest Translate(JsonObject body)
    {
        foreach (var (name, value) in body)
            if (!Translated.Contains(name) && value is not null)
                throw Unsupported(name, name == "previous_response_id"
                    ? "this proxy keeps no responses to continue from; send the earlier turns in 'input'"
                    : $"'{name}' of the Responses API has no equivalent here");
        if (body["truncation"] is { } truncation && String(truncation, "truncation") is not (null or "disabled"))
            throw Unsupported("truncation", "only \"disabled\" is supported");
        if (body["include"] is JsonArray { Count: > 0 }) throw Unsupported("include", "no extra output data is available");

        var messages = new List<ChatMessage>();
        if (String(body["instructions"], "instructions") is { } instructions)
            messages.Add(new ChatMessage { Role = ChatRoles.System, Content = MessageContent.FromText(instructions) });
        switch (body["input"])
        {
            case JsonValue text when text.GetValueKind() == JsonValueKind.String:
                messages.Add(new ChatMessage { Role = ChatRoles.User, Content = MessageContent.FromText(text.GetValue<string>()) });
                break;
            case JsonArray { Count: > 0 } items:
                for (var i = 0; i < items.Count; i++) Item(items[i], $"input.{i}", messages);
                break;
            default:
                throw ProxyException.BadRequest("input: Field required (a string or a non-empty list of input items).", "input");
        }

        var maxTokens = Number(body, "max_output_tokens");
        return new ChatRequest
        {
            Messages = messages,
            MaxTokens = maxTokens is null ? null : (int)Math.Clamp(maxTokens.Value, int.MinValue, int.MaxValue),
            Temperature = Double(body, "temperature"),
            TopP = Double(body, "top_p"),
            Stream = body["stream"]?.GetValueKind() == JsonValueKind.True ? true : null,
            User = String(body["user"], "user"),
            Tools = body["tools"] is JsonArray tools ? tools.Select((t, i) => Tool(t, $"tools.{i}")).ToList() : null,
            ToolChoice = Choice(body["tool_choice"]),
            ParallelToolCalls = body["parallel_tool_calls"]?.GetValueKind() == JsonValueKind.False ? false : null,
            ResponseFormat = Format(body["text"]),
        };
    }

    /// <summary>One input item, added to <paramref name="messages"/>: a call joins the assistant turn just before it.</summary>
    private static void Item(JsonNode? node, string path, List<ChatMessage> messages)
    {
        if (node is not JsonObject item) throw ProxyException.BadRequest($"{path}: must be an object.", path);
        var type = String(item["type"], $"{path}.type") ?? "message";
        switch (type)
        {
            case "message":
                messages.Add(Message(item, path));
                break;
            case "function_call":
                var call = new ChatToolCall
                {
                    Id = Required(item, "call_id", path),
                    Type = ToolTypes.Function,
                    Function = new ChatFunctionCall { Name = Required(item, "name", path), Arguments = String(item["arguments"], $"{path}.arguments") ?? "{}" },
                };
                if (messages.Count > 0 && messages[^1] is { Role: ChatRoles.Assistant } last)
                    messages[^1] = last with { ToolCalls = [.. last.ToolCalls ?? [], call] };
                else messages.Add(new ChatMessage { Role = ChatRoles.Assistant, ToolCalls = [call] });
                break;
            case "function_call_output":
                messages.Add(new ChatMessage
                {
                    Role = ChatRoles.Tool,
                    ToolCallId = Required(item, "call_id", path),
                    Content = MessageContent.FromText(item["output"] is JsonArray parts
                        ? string.Concat(parts.Select((p, j) => PartText(p, $"{path}.output.{j}")))
                        : String(item["output"], $"{path}.output") ?? ""),
                });
                break;
            case "reasoning":
                // An earlier turn's reasoning: the vendors take none back, as the Messages door leaves out thinking.
                break;
            case "item_reference":
                throw Unsupported(path, "items are referenced by id only from stored responses, which this proxy does not keep; send the item itself");
            default:
                throw Unsupported($"{path}.type", $"'{type}' items have no equivalent here");
        }
    }

    private static ChatMessage Message(JsonObject item, string path)
    {
        var role = String(item["role"], $"{path}.role");
        if (role is not (ChatRoles.User or ChatRoles.Assistant or ChatRoles.System or ChatRoles.Developer))
            throw ProxyException.BadRequest($"{path}.role: Input should be 'user', 'assistant', 'system' or 'developer'.", $"{path}.role");
        var content = item["content"] switch
        {
            JsonValue text when text.GetValueKind() == JsonValueKind.String => MessageContent.FromText(text.GetValue<string>()),
            JsonArray parts when role == ChatRoles.User => MessageContent.FromParts(parts.Select((p, j) => Part(p, $"{path}.content.{j}")).ToList()),
            JsonArray parts => MessageContent.FromText(string.Concat(parts.Select((p, j) => PartText(p, $"{path}.content.{j}")))),
            _ => throw ProxyException.BadRequest($"{path}.content: Input should be a valid string or list.", $"{path}.content"),
        };
        return new ChatMessage { Role = role, Content = content };
    }

    private static ContentPart Part(JsonNode? part, string path) => part?["type"]?.GetValue<string>() switch
    {
        "input_text" or "output_text" => new ContentPart { Type = ContentPartTypes.Text, Text = String(part["text"], $"{path}.text") ?? "" },
        "input_image" => new ContentPart
        {
            Type = ContentPartTypes.ImageUrl,
            ImageUrl = new ImageUrl
            {
                Url = String(part["image_url"], $"{path}.image_url") ?? throw Unsupported(path, "only images given by image_url (a URL or a data: URL) translate"),
                Detail = String(part["detail"], $"{path}.detail"),
            },
        },
        var other => throw Unsupported($"{path}.type", $"'{other}' parts have no equivalent here"),
    };

    /// <summary>A part where only text can stand: an assistant's, a system's, a tool's output.</summary>
    private static string PartText(JsonNode? part, string path) => part?["type"]?.GetValue<string>() switch
    {
        "input_text" or "output_text" => String(part["text"], $"{path}.text") ?? "",
        "refusal" => String(part["refusal"], $"{path}.refusal") ?? "",
        var other => throw Unsupported($"{path}.type", $"'{other}' parts cannot stand in this turn"),
    };

    private static string Required(JsonObject item, string name, string path) =>
        String(item[name], $"{path}.{name}") ?? throw ProxyException.BadRequest($"{path}.{name}: Field required.", $"{path}.{name}");

    /// <summary>A function tool; a hosted tool is refused by its name, as nothing here can run it.</summary>
    private static ChatTool Tool(JsonNode? node, string path)
    {
        if (node is not JsonObject tool) throw ProxyException.BadRequest($"{path}: must be an object.", path);
        var type = String(tool["type"], $"{path}.type");
        if (type != ToolTypes.Function)
            throw Unsupported($"{path}.type", Hosted.Contains(type ?? "")
                ? $"'{type}' is one of OpenAI's hosted tools, which run on OpenAI's servers only; declare a function tool instead"
                : $"'{type}' tools have no equivalent here; only function tools translate");
        return new ChatTool
        {
            Type = ToolTypes.Function,
            Function = new ChatFunction
            {
                Name = String(tool["name"], $"{path}.name"),
                Description = String(tool["description"], $"{path}.description"),
                Parameters = tool["parameters"] is JsonObject schema ? Element(schema) : null,
                Strict = tool["strict"]?.GetValueKind() == JsonValueKind.True ? true : null,
            },
        };
    }

    private static ToolChoice? Choice(JsonNode? choice) => choice switch
    {
        null => null,
        JsonValue mode when mode.GetValueKind() == JsonValueKind.String => mode.GetValue<string>() switch
        {
            ToolChoice.None or ToolChoice.Auto or ToolChoice.Required => new ToolChoice { Mode = mode.GetValue<string>() },
            var other => throw ProxyException.BadRequest($"tool_choice: '{other}' is not one of none, auto, required.", "tool_choice"),
        },
        JsonObject named when String(named["type"], "tool_choice.type") == ToolTypes.Function =>
            new ToolChoice { FunctionName = String(named["name"], "tool_choice.name") ?? throw ProxyException.BadRequest("tool_choice.name: Field required.", "tool_choice.name") },
        _ => throw Unsupported("tool_choice", $"only none, auto, required or a function ({{\"type\":\"function\",\"name\":...}}) translate; got {choice.ToJsonString()}"),
    };

    /// <summary><c>text.format</c> as <c>response_format</c>: the schema's fields sit beside its type here, inside <c>json_schema</c> there.</summary>
    private static ResponseFormat? Format(JsonNode? text)
    {
        if (text is null) return null;
        if (text is not JsonObject settings) throw ProxyException.BadRequest("text: Input should be an object.", "text");
        foreach (var (name, value) in settings)
            if (name != "format" && value is not null) throw Unsupported($"text.{name}", $"'{name}' has no equivalent here");
        if (settings["format"] is not JsonObject format) return settings["format"] is null ? null : throw ProxyException.BadRequest("text.format: Input should be an object.", "text.format");
        return String(format["type"], "text.format.type") switch
        {
            ResponseFormat.Text => new ResponseFormat { Type = ResponseFormat.Text },
            ResponseFormat.JsonObject => new ResponseFormat { Type = ResponseFormat.JsonObject },
            ResponseFormat.JsonSchemaType => new ResponseFormat
            {
                Type = ResponseFormat.JsonSchemaType,
                JsonSchema = new JsonSchemaFormat
                {
                    Name = String(format["name"], "text.format.name") ?? throw ProxyException.BadRequest("text.format.name: Field required.", "text.format.name"),
                    Description = String(format["description"], "text.format.description"),
                    Schema = format["schema"] is JsonObject schema ? Element(schema) : throw ProxyException.BadRequest("text.format.schema: Field required (an object).", "text.format.schema"),
                    Strict = format["strict"]?.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null },
                },
            },
            var other => throw ProxyException.BadRequest($"text.format.type: '{other}' is not one of text, json_object, json_schema.", "text.format.type"),
        };
    }
}
