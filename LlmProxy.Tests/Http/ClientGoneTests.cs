using System.Text.Json.Nodes;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmProxy.Tests.Http;

/// <summary>
/// A request the server could not read (typically a client that went away mid-body; Kestrel raises
/// BadHttpRequestException) is the client's doing: a 4xx with the unified body, and no error with a stack trace in the log.
/// </summary>
public sealed class ClientGoneTests
{
    [Fact]
    public async Task An_unreadable_request_is_a_4xx_logged_at_debug_not_an_unhandled_failure()
    {
        var log = new FakeLogger();

        var (status, error) = await AnswerAsync(log, new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest));

        Assert.Equal(400, status);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Contains("Unexpected end of request content", error["message"]!.GetValue<string>());
        Assert.DoesNotContain(log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Debug, log.LatestRecord.Level);
    }

    [Fact]
    public async Task A_body_the_server_refused_as_too_large_keeps_its_413()
    {
        var (status, error) = await AnswerAsync(new FakeLogger(), new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge));

        Assert.Equal(413, status);
        Assert.Equal(413, error["status"]!.GetValue<int>());
    }

    private static async Task<(int Status, JsonNode Error)> AnswerAsync(ILogger log, Exception thrown)
    {
        var result = await ErrorResults.GuardAsync(log, () => throw thrown);
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, JsonNode.Parse(context.Response.Body)!["error"]!);
    }
}
