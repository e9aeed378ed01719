namespace LlmProxy.Core.Providers.Gemini;

/// <summary>
/// Gemini's function calls carry no id, so the proxy makes one: derived from the response id, the candidate and the
/// call's place in it, the same answer always gets the same ids (a cached stream replays them, a whole answer and
/// its stream agree). A call that does carry an id keeps it.
/// </summary>
internal sealed class GeminiCallIds(string responseId)
{
    private readonly Dictionary<int, int> _next = [];

    public string Next(int candidate, GeminiFunctionCall call)
    {
        var place = _next.GetValueOrDefault(candidate);
        _next[candidate] = place + 1;
        return call.Id is { Length: > 0 } id ? id : "call_" + ToolCallIds.Alphanumeric($"{responseId}/{candidate}/{place}/{call.Name}", 24);
    }
}
