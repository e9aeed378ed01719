using System.Text.RegularExpressions;
using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers.Mistral;

/// <summary>
/// Mistral takes tool-call ids of exactly nine letters and digits and refuses others (another vendor's
/// <c>call_…</c> or <c>toolu_…</c>). Such ids are renamed on the way in, the call and its result alike; Mistral's own
/// ids already fit, so what Mistral answers goes back to the caller unchanged and returns unchanged next turn.
/// </summary>
internal static partial class MistralToolCallIds
{
    private const int Length = 9;

    [GeneratedRegex("^[a-zA-Z0-9]{9}$")]
    private static partial Regex Pattern();

    public static string Conform(string id) => Pattern().IsMatch(id) ? id : ToolCallIds.Alphanumeric(id, Length);

    public static IReadOnlyList<ChatMessage>? Conform(IReadOnlyList<ChatMessage>? messages)
    {
        if (messages is null || !messages.Any(m => m.ToolCalls is not null || m.ToolCallId is not null)) return messages;
        return messages.Select(m => m with
        {
            ToolCalls = m.ToolCalls?.Select(c => c with { Id = Conform(c.Id!) }).ToList(),
            ToolCallId = m.ToolCallId is { } id ? Conform(id) : null,
        }).ToList();
    }
}
