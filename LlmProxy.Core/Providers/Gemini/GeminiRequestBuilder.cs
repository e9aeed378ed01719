using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Capabilities;
using LlmProxy.Core.Providers.Images;

namespace LlmProxy.Core.Providers.Gemini;

/// <summary>
/// Canonical request -> generateContent request: system and developer turns become <c>systemInstruction</c>,
/// <c>assistant</c> becomes <c>model</c>, consecutive turns of one role are merged, sampling settings move into
/// <c>generationConfig</c>. Gemini takes image bytes only inline, so http(s) image URLs are fetched (guarded).
/// </summary>
internal sealed class GeminiRequestBuilder(ImageFetcher images)
{
    private const string Vendor = "Gemini";

    public async Task<GeminiRequest> BuildAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        var messages = request.Messages ?? [];
        RequestShaping.RefuseExtraFields(Vendor, request, "top_k", "presence_penalty", "frequency_penalty");
        VendorCapabilities.Refuse(GeminiProvider.ProviderName, request);
        RequestShaping.RefuseToolMessages(Vendor, messages);
        var fetches = images.ForRequest(request);

        var system = new List<GeminiPart>();
        var contents = new List<GeminiContent>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (RequestShaping.IsInstruction(message))
            {
                system.Add(new GeminiPart { Text = RequestShaping.InstructionText(Vendor, message, i) });
                continue;
            }
            var role = message.Role == ChatRoles.Assistant ? "model" : "user";
            var parts = await PartsAsync(message.Content, $"messages[{i}].content", fetches, cancellationToken).ConfigureAwait(false);
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
        };
        return new GeminiRequest
        {
            Contents = contents,
            SystemInstruction = system.Count == 0 ? null : new GeminiContent { Parts = system },
            GenerationConfig = config == new GeminiGenerationConfig() ? null : config,
        };
    }

    private static async Task<List<GeminiPart>> PartsAsync(MessageContent? content, string path, ImageFetches fetches, CancellationToken cancellationToken)
    {
        if (content?.Parts is not { } parts) return [new GeminiPart { Text = content?.Text ?? "" }];
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
