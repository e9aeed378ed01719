using System.Text.Json;
using System.Text.RegularExpressions;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Capabilities;
using LlmProxy.Core.Providers.Images;

namespace LlmProxy.Core.Providers.Anthropic;

/// <summary>
/// Canonical request -> Messages API request: system and developer turns move to the top-level <c>system</c>,
/// consecutive turns of one role are merged (the API wants user and assistant to alternate), <c>max_tokens</c>
/// is the output budget set at admission, <c>stop</c> becomes <c>stop_sequences</c>, <c>user</c> becomes <c>metadata.user_id</c>.
/// Images: data URLs as base64 sources, http(s) URLs as url sources (Anthropic fetches them). Tools become
/// <c>tools[{name, description, input_schema}]</c>, an assistant's calls <c>tool_use</c> blocks and tool results
/// <c>tool_result</c> blocks at the head of a user turn. A JSON <c>response_format</c> becomes a tool the model must
/// answer through (<see cref="AnswerTool"/>).
/// </summary>
internal static partial class AnthropicRequestBuilder
{
    private const string Vendor = "Anthropic";

    /// <summary>The ids Anthropic accepts for tool_use blocks; others are renamed (see <see cref="ToolCallIds"/>).</summary>
    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex IdPattern();

    private static readonly JsonElement AnyObject = JsonDocument.Parse("""{"type":"object"}""").RootElement;

    public static AnthropicRequest Build(ChatRequest request, bool stream)
    {
        var messages = request.Messages ?? [];
        RequestShaping.RefuseExtraFields(Vendor, request, "top_k");
        RequestShaping.RefuseSeveralChoices(Vendor, request);
        RequestShaping.RefuseTemperatureAbove(Vendor, request, 1);
        VendorCapabilities.Refuse(AnthropicProvider.ProviderName, request);

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
            if (message.Role == ChatRoles.Tool) AddToTurn(turns, ChatRoles.User, [ToolResult(message, $"messages[{i}]")]);
            else AddToTurn(turns, message.Role!, Blocks(message, $"messages[{i}]"));
        }
        if (turns.Count == 0) throw ProxyException.BadRequest("Anthropic needs at least one user or assistant message besides system messages.", "messages");

        var (tools, toolChoice) = AnswerTool.Add(request, Tools(request, turns));
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
            Tools = tools,
            ToolChoice = toolChoice,
        };
    }

    /// <summary>
    /// Consecutive turns of one role become one turn. Anthropic wants a user turn's tool results before anything
    /// else in it, so they go ahead of text that an earlier message of the same turn brought.
    /// </summary>
    private static void AddToTurn(List<AnthropicMessage> turns, string role, List<AnthropicBlock> blocks)
    {
        if (turns.Count == 0 || turns[^1].Role != role)
        {
            turns.Add(new AnthropicMessage(role, blocks));
            return;
        }
        var content = turns[^1].Content;
        foreach (var block in blocks)
        {
            if (block.Type == "tool_result") content.Insert(content.FindLastIndex(b => b.Type == "tool_result") + 1, block);
            else content.Add(block);
        }
    }

    private static List<AnthropicBlock> Blocks(ChatMessage message, string path)
    {
        var content = message.Content;
        List<AnthropicBlock> blocks;
        if (content?.Parts is { } parts) blocks = parts.Select(part => Part(part, path)).ToList();
        else if (message.ToolCalls is { Count: > 0 } && string.IsNullOrEmpty(content?.Text)) blocks = [];
        else blocks = [new AnthropicBlock { Type = "text", Text = content?.Text ?? "" }];

        var calls = message.ToolCalls ?? [];
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            blocks.Add(new AnthropicBlock
            {
                Type = "tool_use",
                Id = Id(call.Id!),
                Name = call.Function!.Name,
                Input = RequestShaping.ArgumentsObject(Vendor, call.Function.Arguments!, $"{path}.tool_calls[{i}].function.arguments"),
            });
        }
        return blocks;
    }

    private static AnthropicBlock Part(ContentPart part, string path) => part.Type == ContentPartTypes.Text
        ? new AnthropicBlock { Type = "text", Text = part.Text }
        : new AnthropicBlock { Type = "image", Source = ImageSource(part.ImageUrl?.Url ?? throw ProxyException.BadRequest("An image part needs a URL.", path)) };

    /// <summary>A tool message as a <c>tool_result</c> block; empty text is left out, since Anthropic refuses empty text blocks.</summary>
    private static AnthropicBlock ToolResult(ChatMessage message, string path)
    {
        var content = message.Content?.Parts is { } parts
            ? parts.Where(p => p.Type != ContentPartTypes.Text || !string.IsNullOrEmpty(p.Text)).Select(p => Part(p, path)).ToList()
            : string.IsNullOrEmpty(message.Content?.Text) ? [] : [new AnthropicBlock { Type = "text", Text = message.Content.Text }];
        return new AnthropicBlock { Type = "tool_result", ToolUseId = Id(message.ToolCallId!), Content = content.Count == 0 ? null : content };
    }

    private static string Id(string id) => IdPattern().IsMatch(id) ? id : "toolu_" + ToolCallIds.Alphanumeric(id, 24);

    /// <summary>
    /// The tools and the choice among them. Anthropic refuses tool_use and tool_result blocks in a request without
    /// tools, while OpenAI allows a history of calls with no tools offered now; those functions are then declared
    /// (by name, any arguments) with the choice <c>none</c>, which is what offering no tools means.
    /// </summary>
    private static (IReadOnlyList<AnthropicTool>? Tools, AnthropicToolChoice? Choice) Tools(ChatRequest request, List<AnthropicMessage> turns)
    {
        var serial = request.ParallelToolCalls == false ? true : (bool?)null;
        if (request.Tools is { Count: > 0 } tools)
        {
            var declared = tools.Select(t => new AnthropicTool
            {
                Name = t.Function!.Name!,
                Description = t.Function.Description,
                InputSchema = t.Function.Parameters is { ValueKind: JsonValueKind.Object } schema ? schema : AnyObject,
                Strict = t.Function.Strict,
            }).ToList();
            var choice = request.ToolChoice switch
            {
                { FunctionName: { } name } => new AnthropicToolChoice { Type = "tool", Name = name, DisableParallelToolUse = serial },
                { Mode: ToolChoice.None } => new AnthropicToolChoice { Type = "none" },
                { Mode: ToolChoice.Required } => new AnthropicToolChoice { Type = "any", DisableParallelToolUse = serial },
                _ => serial is null ? null : new AnthropicToolChoice { Type = "auto", DisableParallelToolUse = true },
            };
            return (declared, choice);
        }

        var used = turns.SelectMany(t => t.Content).Where(b => b.Type == "tool_use").Select(b => b.Name!).Distinct().ToList();
        if (used.Count == 0) return (null, null);
        return (used.Select(name => new AnthropicTool { Name = name, InputSchema = AnyObject }).ToList(), new AnthropicToolChoice { Type = "none" });
    }

    private static AnthropicImageSource ImageSource(string url)
    {
        if (!InlineImage.IsDataUrl(url)) return new AnthropicImageSource { Type = "url", Url = url };
        var image = InlineImage.FromDataUrl(url);
        return new AnthropicImageSource { Type = "base64", MediaType = image.MediaType, Data = image.Data };
    }
}
