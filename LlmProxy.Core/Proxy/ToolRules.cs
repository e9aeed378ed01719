using System.Text.Json;
using System.Text.RegularExpressions;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// OpenAI's rules for tools, tool calls and response formats, checked before any vendor is called, so every vendor
/// (and every translation) starts from a well-formed request. Each 400 names the field.
/// </summary>
internal static partial class ToolRules
{
    public const int MaxTools = 128;
    public const int MaxToolCallsPerMessage = 128;
    private const int MaxIdLength = 256;

    /// <summary>OpenAI's pattern for function and schema names.</summary>
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static void Check(ChatRequest request)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (request.Tools is { } tools)
        {
            if (tools.Count > MaxTools) throw ProxyException.BadRequest($"'tools' takes at most {MaxTools} functions.", "tools");
            for (var i = 0; i < tools.Count; i++)
            {
                var path = $"tools[{i}]";
                var tool = tools[i];
                if (tool.Type != ToolTypes.Function)
                    throw ProxyException.BadRequest($"'{path}.type' must be 'function'; got '{tool.Type}'.", $"{path}.type");
                var name = tool.Function?.Name;
                if (!IsValidName(name))
                    throw ProxyException.BadRequest($"'{path}.function.name' must be 1 to 64 letters, digits, '_' or '-'.", $"{path}.function.name");
                if (!names.Add(name!)) throw ProxyException.BadRequest($"'{path}.function.name' repeats '{name}'.", $"{path}.function.name");
                if (tool.Function!.Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
                    throw ProxyException.BadRequest($"'{path}.function.parameters' must be a JSON Schema object.", $"{path}.function.parameters");
            }
        }

        if (request.ToolChoice is { } choice)
        {
            if (choice.FunctionName is { } function)
            {
                if (!names.Contains(function))
                    throw ProxyException.BadRequest($"'tool_choice' names the function '{function}', which 'tools' does not define.", "tool_choice");
            }
            else if (choice.Mode is not (ToolChoice.None or ToolChoice.Auto or ToolChoice.Required))
                throw ProxyException.BadRequest($"'tool_choice' must be \"none\", \"auto\", \"required\" or a function; got '{choice.Mode}'.", "tool_choice");
            else if (choice.Mode == ToolChoice.Required && names.Count == 0)
                throw ProxyException.BadRequest("'tool_choice' \"required\" needs 'tools'.", "tool_choice");
        }

        if (request.ResponseFormat is { } format)
        {
            if (format.Type is not (ResponseFormat.Text or ResponseFormat.JsonObject or ResponseFormat.JsonSchemaType))
                throw ProxyException.BadRequest($"'response_format.type' must be 'text', 'json_object' or 'json_schema'; got '{format.Type}'.", "response_format.type");
            if (format.Type == ResponseFormat.JsonSchemaType)
            {
                if (format.JsonSchema is not { } schema)
                    throw ProxyException.BadRequest("'response_format.json_schema' is required for type 'json_schema'.", "response_format.json_schema");
                if (!IsValidName(schema.Name))
                    throw ProxyException.BadRequest("'response_format.json_schema.name' must be 1 to 64 letters, digits, '_' or '-'.", "response_format.json_schema.name");
                if (schema.Schema is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
                    throw ProxyException.BadRequest("'response_format.json_schema.schema' must be a JSON Schema object.", "response_format.json_schema.schema");
            }
        }
    }

    /// <summary>An assistant's calls must be complete; a tool result must say which call it answers.</summary>
    public static void CheckMessage(ChatMessage message, string path)
    {
        if (message.ToolCalls is { } calls)
        {
            if (message.Role != ChatRoles.Assistant)
                throw ProxyException.BadRequest($"'{path}.tool_calls' belongs to assistant messages only.", $"{path}.tool_calls");
            if (calls.Count > MaxToolCallsPerMessage)
                throw ProxyException.BadRequest($"'{path}.tool_calls' takes at most {MaxToolCallsPerMessage} calls.", $"{path}.tool_calls");
            for (var i = 0; i < calls.Count; i++)
            {
                var call = calls[i];
                var at = $"{path}.tool_calls[{i}]";
                if (call.Id is not { Length: > 0 and <= MaxIdLength })
                    throw ProxyException.BadRequest($"'{at}.id' is required (1 to {MaxIdLength} characters).", $"{at}.id");
                if (call.Type != ToolTypes.Function) throw ProxyException.BadRequest($"'{at}.type' must be 'function'.", $"{at}.type");
                if (string.IsNullOrEmpty(call.Function?.Name)) throw ProxyException.BadRequest($"'{at}.function.name' is required.", $"{at}.function.name");
                if (call.Function.Arguments is null) throw ProxyException.BadRequest($"'{at}.function.arguments' is required (a JSON text).", $"{at}.function.arguments");
            }
        }
        if (message.Role == ChatRoles.Tool && message.ToolCallId is not { Length: > 0 and <= MaxIdLength })
            throw ProxyException.BadRequest($"'{path}.tool_call_id' is required for a tool message (1 to {MaxIdLength} characters).", $"{path}.tool_call_id");
    }
}
