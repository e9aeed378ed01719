using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Images;

namespace LlmProxy.Core.Providers.Anthropic;

/// <summary>
/// Canonical request -> Messages API request: system and developer turns move to the top-level <c>system</c>,
/// consecutive turns of one role are merged (the API wants user and assistant to alternate), <c>max_tokens</c>
/// is the output budget set at admission, <c>stop</c> becomes <c>stop_sequences</c>, <c>user</c> becomes <c>metadata.user_id</c>.
/// Images: data URLs as base64 sources, http(s) URLs as url sources (Anthropic fetches them).
/// </summary>
internal static class AnthropicRequestBuilder
{
    private const string Vendor = "Anthropic";

    public static AnthropicRequest Build(ChatRequest request, bool stream)
    {
        var messages = request.Messages ?? [];
        RequestShaping.RefuseExtraFields(Vendor, request, "top_k");
        RequestShaping.RefuseSeveralChoices(Vendor, request);
        RequestShaping.RefuseTemperatureAbove(Vendor, request, 1);
        RequestShaping.RefuseToolMessages(Vendor, messages);

        var system = new List<string>();
        var turns = new List<AnthropicMessage>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (RequestShaping.IsInstruction(message))
            {
                system.Add(RequestShaping.InstructionText(Vendor, message, i));
                continue;
            }
            var blocks = Blocks(message.Content, $"messages[{i}]");
            if (turns.Count > 0 && turns[^1].Role == message.Role) turns[^1].Content.AddRange(blocks);
            else turns.Add(new AnthropicMessage(message.Role!, blocks));
        }
        if (turns.Count == 0) throw ProxyException.BadRequest("Anthropic needs at least one user or assistant message besides system messages.", "messages");

        return new AnthropicRequest
        {
            Model = request.Model!,
            MaxTokens = request.RequestedMaxTokens ?? throw new InvalidOperationException("The output budget is set before a vendor is called (CatalogRules)."),
            System = system.Count == 0 ? null : string.Join("\n\n", system),
            Messages = turns,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = RequestShaping.IntField(request, "top_k"),
            StopSequences = request.Stop,
            Stream = stream ? true : null,
            Metadata = request.User is { } user ? new AnthropicMetadata(user) : null,
        };
    }

    private static List<AnthropicBlock> Blocks(MessageContent? content, string path)
    {
        if (content?.Parts is not { } parts) return [new AnthropicBlock { Type = "text", Text = content?.Text ?? "" }];
        return parts.Select(part => part.Type == ContentPartTypes.Text
                ? new AnthropicBlock { Type = "text", Text = part.Text }
                : new AnthropicBlock { Type = "image", Source = ImageSource(part.ImageUrl?.Url ?? throw ProxyException.BadRequest("An image part needs a URL.", path)) })
            .ToList();
    }

    private static AnthropicImageSource ImageSource(string url)
    {
        if (!InlineImage.IsDataUrl(url)) return new AnthropicImageSource { Type = "url", Url = url };
        var image = InlineImage.FromDataUrl(url);
        return new AnthropicImageSource { Type = "base64", MediaType = image.MediaType, Data = image.Base64 };
    }
}
