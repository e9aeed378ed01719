using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Capabilities;

namespace LlmProxy.Core.Providers.Cohere;

/// <summary>
/// Canonical request -> Chat v2 request: roles kept (<c>developer</c> as <c>system</c>), <c>top_p</c> renamed
/// <c>p</c> and held inside Cohere's 0.01-0.99, <c>top_k</c> renamed <c>k</c>, <c>stop</c> renamed
/// <c>stop_sequences</c>; images stay <c>image_url</c> parts. Tools keep OpenAI's shape; an assistant's text beside
/// its calls becomes <c>tool_plan</c>; <c>tool_choice</c> becomes REQUIRED or NONE (a named function: that tool alone,
/// REQUIRED); <c>strict</c> functions become <c>strict_tools</c>; a JSON <c>response_format</c> becomes
/// <c>{type: "json_object", json_schema?: schema}</c>.
/// </summary>
internal static class CohereRequestBuilder
{
    private const string Vendor = "Cohere";

    public static CohereRequest Build(ChatRequest request, bool stream)
    {
        var messages = request.Messages ?? [];
        RequestShaping.RefuseExtraFields(Vendor, request, "top_k", "presence_penalty", "frequency_penalty");
        RequestShaping.RefuseSeveralChoices(Vendor, request);
        VendorCapabilities.Refuse(CohereProvider.ProviderName, request);

        return new CohereRequest
        {
            Model = request.Model!,
            Messages = messages.Select((m, i) => m.ToolCalls is { Count: > 0 } calls
                ? new CohereMessage { Role = ChatRoles.Assistant, ToolPlan = NonEmpty(m.Content?.JoinedText()), ToolCalls = calls }
                : new CohereMessage
                {
                    Role = m.Role == ChatRoles.Developer ? ChatRoles.System : m.Role!,
                    Content = Content(m, i),
                    ToolCallId = m.ToolCallId,
                }).ToList(),
            Temperature = request.Temperature,
            MaxTokens = request.RequestedMaxTokens,
            P = request.TopP is { } p ? Math.Clamp(p, 0.01, 0.99) : null,
            K = RequestShaping.IntField(request, "top_k"),
            StopSequences = request.Stop,
            Seed = request.Seed,
            PresencePenalty = RequestShaping.NumberField(request, "presence_penalty"),
            FrequencyPenalty = RequestShaping.NumberField(request, "frequency_penalty"),
            Stream = stream ? true : null,
            // Cohere has no named choice: naming a function offers that one alone, and requires a call.
            Tools = request.ToolChoice?.FunctionName is { } name ? request.Tools!.Where(t => t.Function?.Name == name).ToList() : request.Tools,
            ToolChoice = request.ToolChoice switch
            {
                { FunctionName: not null } or { Mode: ToolChoice.Required } => "REQUIRED",
                { Mode: ToolChoice.None } when request.Tools is { Count: > 0 } => "NONE",
                _ => null,
            },
            StrictTools = StrictTools(request.Tools),
            ResponseFormat = request.ResponseFormat?.Type is ResponseFormat.JsonObject or ResponseFormat.JsonSchemaType
                ? new CohereResponseFormat("json_object", request.ResponseFormat.JsonSchema?.Schema)
                : null,
        };
    }

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Cohere's <c>strict_tools</c> holds for every tool of a call: functions must all be strict or none.</summary>
    private static bool? StrictTools(IReadOnlyList<ChatTool>? tools)
    {
        if (tools is not { Count: > 0 } || tools.All(t => t.Function?.Strict != true)) return null;
        var loose = tools.Select((t, i) => (t, i)).FirstOrDefault(x => x.t.Function?.Strict != true);
        if (loose.t is not null)
            throw new ProxyException(400, ErrorTypes.UnsupportedParameter,
                $"Cohere makes every tool of a call strict or none; 'tools[{loose.i}].function.strict' differs from the others.", $"tools[{loose.i}].function.strict");
        return true;
    }

    private static object Content(ChatMessage message, int index)
    {
        if (message.Content?.Parts is not { } parts) return message.Content?.Text ?? "";
        if (message.Role != ChatRoles.User && parts.Any(p => p.Type != ContentPartTypes.Text))
            throw ProxyException.BadRequest("Cohere takes images in user messages only.", $"messages[{index}].content");
        return parts.Select(p => p.Type == ContentPartTypes.Text
            ? new CohereContent { Type = "text", Text = p.Text }
            : new CohereContent { Type = "image_url", ImageUrl = new CohereImageUrl(p.ImageUrl!.Url!, p.ImageUrl.Detail) }).ToList();
    }
}
