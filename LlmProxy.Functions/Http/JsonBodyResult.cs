using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>Writes a value as JSON with source-generated metadata; needs no MVC services, so both hosts run it.</summary>
public sealed class JsonBodyResult<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) : IActionResult
{
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        foreach (var (name, headerValue) in Headers) response.Headers[name] = headerValue;
        // Into the response's pipe (no synchronous write to the body), then one asynchronous flush.
        using (var json = new Utf8JsonWriter(response.BodyWriter, ResponseJson.WriterOptions))
            JsonSerializer.Serialize(json, value, typeInfo);
        await response.BodyWriter.FlushAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
