using System.Globalization;
using System.Text.Json.Nodes;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Messages;
using LlmProxy.Core.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Http;

/// <summary>Turns failures into the unified error body; unexpected ones become a 500 that reveals nothing inside.</summary>
public static class ErrorResults
{
    public static IActionResult From(ProxyException error) =>
        WithHeaders(new JsonBodyResult<ErrorBody>(error.ToBody(), ProxyJsonContext.Default.ErrorBody, error.Status), error);

    /// <summary>Anthropic's error body, <c>{type: "error", error: {type, message}}</c>, with the same status and headers.</summary>
    public static IActionResult AnthropicFrom(ProxyException error) =>
        WithHeaders(new JsonBodyResult<JsonObject>(MessagesAnswer.Error(error), ProxyJsonContext.Default.JsonObject, error.Status), error);

    private static IActionResult WithHeaders<T>(JsonBodyResult<T> result, ProxyException error)
    {
        if (error.RetryAfter is { } wait)
            result.Headers["Retry-After"] = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in error.Headers ?? new Dictionary<string, string>()) result.Headers[name] = value;
        return result;
    }

    /// <summary>Runs a function body, answering with the unified error body when it fails.</summary>
    public static Task<IActionResult> GuardAsync(ILogger log, Func<Task<IActionResult>> body) => GuardAsync(log, body, From);

    /// <summary>Runs a function body, answering in <paramref name="shape"/> when it fails (a door that speaks another API's errors).</summary>
    public static async Task<IActionResult> GuardAsync(ILogger log, Func<Task<IActionResult>> body, Func<ProxyException, IActionResult> shape)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ProxyException e)
        {
            return shape(e);
        }
        catch (BadHttpRequestException e)
        {
            // The request itself was broken, typically a client that went away mid-body: its fault, not a failure of ours.
            log.LogDebug(e, "Bad HTTP request: {Reason}", e.Message);
            var status = e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400;
            return shape(new ProxyException(status, ErrorTypes.InvalidRequest, $"The request could not be read: {e.Message}"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Unhandled failure");
            return shape(new ProxyException(500, ErrorTypes.Internal, "The proxy failed unexpectedly; the failure is logged."));
        }
    }
}
