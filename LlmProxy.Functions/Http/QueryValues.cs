using System.Globalization;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Http;

/// <summary>Reads query-string values, refusing malformed ones with a 400 that names the parameter.</summary>
public static class QueryValues
{
    /// <summary>A tenant or user id; null when absent.</summary>
    public static string? Id(HttpRequest request, string name)
    {
        var value = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return null;
        RequestValidator.CheckId(value, name);
        return value;
    }

    public static string RequiredId(HttpRequest request, string name) =>
        Id(request, name) ?? throw ProxyException.BadRequest($"'{name}' is required.", name);

    /// <summary>An ISO 8601 date or date-time (UTC when no offset is given); null when absent.</summary>
    public static DateTimeOffset? Instant(HttpRequest request, string name)
    {
        var value = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return null;
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : throw ProxyException.BadRequest($"'{name}' must be an ISO 8601 date or date-time.", name);
    }

    /// <summary>A free-text filter value (a vendor, model or status name): at most 200 characters, no control characters; null when absent.</summary>
    public static string? Text(HttpRequest request, string name)
    {
        var value = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > 200 || value.Any(char.IsControl))
            throw ProxyException.BadRequest($"'{name}' must be at most 200 characters without control characters.", name);
        return value;
    }

    /// <summary><c>true</c> or <c>false</c>; null when absent.</summary>
    public static bool? Bool(HttpRequest request, string name)
    {
        var value = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return null;
        return bool.TryParse(value, out var flag) ? flag : throw ProxyException.BadRequest($"'{name}' must be true or false.", name);
    }

    public static int Int(HttpRequest request, string name, int defaultValue)
    {
        var value = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return defaultValue;
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw ProxyException.BadRequest($"'{name}' must be a whole number.", name);
    }
}
