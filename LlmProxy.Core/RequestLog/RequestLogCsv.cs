using System.Globalization;
using System.Text;

namespace LlmProxy.Core.RequestLog;

/// <summary>
/// The request log as CSV (RFC 4180) for spreadsheets. A cell starting with <c>= + - @</c>, also after leading white
/// space (spreadsheets skip it), or with a tab or line break, is prefixed with a quote so that a spreadsheet shows it
/// as text instead of running it as a formula: tenant, user and model ids and error texts come from callers.
/// </summary>
public static class RequestLogCsv
{
    private static readonly string[] Header =
    [
        "timestamp", "id", "tenantId", "userId", "provider", "model", "status", "httpStatus", "stream", "cached",
        "promptTokens", "completionTokens", "latencyMs", "timeToFirstTokenMs", "vendorRequestId", "error",
        "cachedPromptTokens", "cacheWriteTokens", "reasoningTokens", "costUsd", "keyId",
    ];

    public static string Write(IEnumerable<RequestLogEntry> entries)
    {
        var csv = new StringBuilder();
        Line(csv, Header);
        foreach (var e in entries)
        {
            Line(csv,
            [
                e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), e.Id, e.TenantId, e.UserId,
                e.Provider, e.Model, e.Status, Number(e.HttpStatus), e.Stream ? "true" : "false", e.Cached ? "true" : "false",
                Number(e.PromptTokens), Number(e.CompletionTokens), Number(e.LatencyMs),
                e.TimeToFirstTokenMs is { } ttft ? Number(ttft) : "", e.VendorRequestId ?? "", e.Error ?? "",
                Number(e.CachedPromptTokens), Number(e.CacheWriteTokens), Number(e.ReasoningTokens),
                e.CostUsd is { } cost ? cost.ToString(CultureInfo.InvariantCulture) : "", e.KeyId ?? "",
            ]);
        }
        return csv.ToString();
    }

    /// <summary>One cell, neutralised against formula injection and quoted when it holds a separator.</summary>
    public static string Cell(string value)
    {
        var start = value.AsSpan().TrimStart();
        if ((start.Length > 0 && start[0] is '=' or '+' or '-' or '@') || (value.Length > 0 && value[0] is '\t' or '\r' or '\n')) value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static void Line(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Cell));
        csv.Append("\r\n");
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
