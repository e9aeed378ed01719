using System.Text;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.RequestLog;

/// <summary>Turns a finished call into its request-log entry, bodies cut to the configured size.</summary>
public sealed class RequestLogRecorder(RequestLogWriter writer, IOptions<RequestLogOptions> options)
{
    internal ValueTask RecordAsync(ICallAccounting accounting, UsageEvent usage)
    {
        var settings = options.Value;
        if (!settings.Enabled) return ValueTask.CompletedTask;
        string? request = null, response = null;
        var truncated = false;
        if (settings.StoreBodies)
        {
            (request, var requestCut) = Cut(accounting.RequestBody(), settings.MaxBodyBytes);
            (response, var responseCut) = Cut(accounting.ResponseText, settings.MaxBodyBytes);
            truncated = requestCut || responseCut;
        }
        return writer.WriteAsync(new RequestLogEntry
        {
            Id = usage.Id,
            TenantId = usage.TenantId,
            UserId = usage.UserId,
            Provider = usage.Provider,
            Model = usage.Model,
            Status = usage.Status,
            HttpStatus = usage.HttpStatus,
            Stream = usage.Stream,
            Cached = usage.Cached,
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            CachedPromptTokens = usage.CachedPromptTokens,
            CacheWriteTokens = usage.CacheWriteTokens,
            ReasoningTokens = usage.ReasoningTokens,
            CostUsd = usage.CostUsd,
            LatencyMs = usage.LatencyMs,
            TimeToFirstTokenMs = usage.Stream ? accounting.TimeToFirstChunkMs : null,
            VendorRequestId = accounting.VendorResponseId,
            KeyId = accounting.KeyId,
            Error = usage.Error,
            RequestBody = request,
            ResponseBody = response,
            BodiesTruncated = truncated,
            Timestamp = usage.Timestamp,
        });
    }

    /// <summary>The text cut to at most <paramref name="maxBytes"/> UTF-8 bytes, never inside a surrogate pair.</summary>
    internal static (string Text, bool Cut) Cut(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return (text, false);
        var length = Math.Min(text.Length, maxBytes);
        while (length > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > maxBytes) length -= Math.Max(1, length / 16);
        if (length > 0 && char.IsHighSurrogate(text[length - 1])) length--;
        return (text[..Math.Max(0, length)], true);
    }
}
