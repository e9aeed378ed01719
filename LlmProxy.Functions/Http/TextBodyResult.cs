using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>Writes a text body (CSV) with its content type and extra headers; needs no MVC services, so both hosts run it.</summary>
public sealed class TextBodyResult(string text, string contentType) : IActionResult
{
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        var bytes = Encoding.UTF8.GetBytes(text);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        foreach (var (name, value) in Headers) response.Headers[name] = value;
        await response.Body.WriteAsync(bytes, context.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
