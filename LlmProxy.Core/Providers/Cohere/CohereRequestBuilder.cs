using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Capabilities;

namespace LlmProxy.Core.Providers.Cohere;

/// <summary>
/// Canonical request -> Chat v2 request: roles kept (<c>developer</c> as <c>system</c>), <c>top_p</c> renamed
/// <c>p</c> and held inside Cohere's 0.01-0.99, <c>top_k</c> renamed <c>k</c>, <c>stop</c> renamed
/// <c>stop_sequences</c>; images stay <c>image_url</c> parts.
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
        RequestShaping.RefuseToolMessages(Vendor, messages);

        return new CohereRequest
        {
            Model = request.Model!,
            Messages = messages.Select((m, i) => new CohereMessage
            {
                Role = m.Role == ChatRoles.Developer ? ChatRoles.System : m.Role!,
                Content = Content(m, i),
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
        };
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
