namespace LlmProxy.Core.RequestLog;

/// <summary>
/// The longest body a store keeps. Table Storage caps a string property at 64 KiB of UTF-16, 32,768 characters;
/// 30,000 leaves headroom. Every store cuts to it, so the log reads the same whichever store is configured.
/// </summary>
public static class StoredBodies
{
    public const int MaxChars = 30_000;

    /// <summary>The entry with each body cut to <see cref="MaxChars"/>, flagged as truncated when anything was cut.</summary>
    public static RequestLogEntry Fit(RequestLogEntry entry)
    {
        if (entry.RequestBody is not { Length: > MaxChars } && entry.ResponseBody is not { Length: > MaxChars }) return entry;
        return entry with { RequestBody = Cut(entry.RequestBody), ResponseBody = Cut(entry.ResponseBody), BodiesTruncated = true };
    }

    private static string? Cut(string? body)
    {
        if (body is not { Length: > MaxChars }) return body;
        // Never end on the first half of a surrogate pair.
        var length = char.IsHighSurrogate(body[MaxChars - 1]) ? MaxChars - 1 : MaxChars;
        return body[..length];
    }
}
