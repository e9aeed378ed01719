using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Capabilities;
using LlmProxy.Core.Providers.Images;

namespace LlmProxy.Core.Providers.Gemini;

/// <summary>
/// Canonical request -> generateContent request: system and developer turns become <c>systemInstruction</c>,
/// <c>assistant</c> becomes <c>model</c>, consecutive turns of one role are merged, sampling settings move into
/// <c>generationConfig</c>. Gemini takes image bytes only inline, so http(s) image URLs are fetched (guarded).
/// Tools become <c>functionDeclarations</c> (schemas through <see cref="GeminiSchema"/>), <c>tool_choice</c> the
/// <c>functionCallingConfig</c>, an assistant's calls <c>functionCall</c> parts and tool results
/// <c>functionResponse</c> parts (<see cref="GeminiCallNames"/>); a JSON <c>response_format</c> becomes
/// <c>responseMimeType: application/json</c> with its schema as <c>responseSchema</c>.
/// </summary>
internal sealed class GeminiRequestBuilder(ImageFetcher images)
{
    private const string Vendor = "Gemini";

    public async Task<GeminiRequest> BuildAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        var messages = request.Messages ?? [];
        RequestShaping.RefuseExtraFields(Vendor, request, "top_k", "presence_penalty", "frequency_penalty");
        VendorCapabilities.Refuse(GeminiProvider.ProviderName, request);
        var fetches = images.ForRequest(request);

        var system = new List<GeminiPart>();
        var contents = new List<GeminiContent>();
        var calls = new GeminiCallNames();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (RequestShaping.IsInstruction(message))
            {
                system.Add(new GeminiPart { Text = RequestShaping.InstructionText(Vendor, message, i) });
                continue;
            }
            var role = message.Role == ChatRoles.Assistant ? "model" : "user";
            var parts = message.Role == ChatRoles.Tool
                ? [calls.Response(message, $"messages[{i}]")]
                : await PartsAsync(message, $"messages[{i}]", calls, fetches, cancellationToken).ConfigureAwait(false);
            if (contents.Count > 0 && contents[^1].Role == role) contents[^1].Parts.AddRange(parts);
            else contents.Add(new GeminiContent { Role = role, Parts = parts });
        }
        if (contents.Count == 0) throw ProxyException.BadRequest("Gemini needs at least one user or assistant message besides system messages.", "messages");

        var config = new GeminiGenerationConfig
        {
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = RequestShaping.IntField(request, "top_k"),
            MaxOutputTokens = request.RequestedMaxTokens,
            StopSequences = request.Stop,
            CandidateCount = request.N,
            Seed = request.Seed,
            PresencePenalty = RequestShaping.NumberField(request, "presence_penalty"),
            FrequencyPenalty = RequestShaping.NumberField(request, "frequency_penalty"),
            ResponseMimeType = request.ResponseFormat?.Type is ResponseFormat.JsonObject or ResponseFormat.JsonSchemaType ? "application/json" : null,
            ResponseSchema = request.ResponseFormat?.JsonSchema?.Schema is { ValueKind: JsonValueKind.Object } answerSchema
                ? GeminiSchema.Translate(answerSchema, "response_format.json_schema.schema")
                : null,
        };
        return new GeminiRequest
        {
            Contents = calls.InCallOrder(contents),
            SystemInstruction = system.Count == 0 ? null : new GeminiContent { Parts = system },
            GenerationConfig = config == new GeminiGenerationConfig() ? null : config,
            Tools = request.Tools is { Count: > 0 } tools
                ? [new GeminiTool(tools.Select((t, i) => new GeminiFunctionDeclaration
                {
                    Name = t.Function!.Name!,
                    Description = t.Function.Description,
                    Parameters = t.Function.Parameters is { ValueKind: JsonValueKind.Object } schema ? GeminiSchema.Translate(schema, $"tools[{i}].function.parameters") : null,
                }).ToList())]
                : null,
            ToolConfig = request.ToolChoice switch
            {
                { FunctionName: { } name } => new GeminiToolConfig(new GeminiFunctionCallingConfig("ANY", [name])),
                { Mode: ToolChoice.Required } => new GeminiToolConfig(new GeminiFunctionCallingConfig("ANY")),
                { Mode: ToolChoice.None } when request.Tools is { Count: > 0 } => new GeminiToolConfig(new GeminiFunctionCallingConfig("NONE")),
                _ => null,
            },
        };
    }

    private static async Task<List<GeminiPart>> PartsAsync(ChatMessage message, string path, GeminiCallNames calls, ImageFetches fetches, CancellationToken cancellationToken)
    {
        var result = await PartsAsync(message.Content, $"{path}.content", message.ToolCalls is { Count: > 0 }, fetches, cancellationToken).ConfigureAwait(false);
        var toolCalls = message.ToolCalls ?? [];
        for (var i = 0; i < toolCalls.Count; i++) result.Add(calls.Call(toolCalls[i], $"{path}.tool_calls[{i}]"));
        return result;
    }

    /// <param name="callsFollow">The message also calls functions: empty text is then left out (Gemini refuses empty parts).</param>
    private static async Task<List<GeminiPart>> PartsAsync(MessageContent? content, string path, bool callsFollow, ImageFetches fetches, CancellationToken cancellationToken)
    {
        if (content?.Parts is not { } parts)
            return callsFollow && string.IsNullOrEmpty(content?.Text) ? [] : [new GeminiPart { Text = content?.Text ?? "" }];
        var result = new List<GeminiPart>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            if (part.Type == ContentPartTypes.Text)
            {
                result.Add(new GeminiPart { Text = part.Text });
                continue;
            }
            var url = part.ImageUrl?.Url ?? throw ProxyException.BadRequest("An image part needs a URL.", $"{path}[{i}]");
            var image = InlineImage.IsDataUrl(url)
                ? InlineImage.FromDataUrl(url)
                : await fetches.FetchAsync(url, $"{path}[{i}].image_url.url", cancellationToken).ConfigureAwait(false);
            result.Add(new GeminiPart { InlineData = new GeminiBlob(image.MediaType, image.Data) });
        }
        return result;
    }
}
