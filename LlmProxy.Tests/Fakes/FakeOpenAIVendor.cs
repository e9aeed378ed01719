using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.openai.com on Kestrel 127.0.0.1: the Chat Completions wire format, SSE framing included
/// (<c>data: {chunk}\n\n</c>, a usage chunk with empty choices when <c>stream_options.include_usage</c> is set,
/// <c>data: [DONE]</c>). It checks the bearer key and records every request it gets.
/// </summary>
public sealed class FakeOpenAIVendor : IAsyncDisposable
{
    public const string ApiKey = "sk-fake-openai-key";

    private readonly WebApplication _app;

    private FakeOpenAIVendor(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Base URL including <c>/v1</c>, as the proxy's <c>BaseUrl</c> setting takes it.</summary>
    public Uri BaseUrl { get; }

    public ConcurrentQueue<JsonObject> Requests { get; } = new();
    public ConcurrentQueue<string?> AuthorizationHeaders { get; } = new();

    /// <summary>The pieces of text a streamed answer is sent in.</summary>
    public IReadOnlyList<string> StreamPieces { get; set; } = ["Hello", " from", " the", " fake", " vendor."];

    /// <summary>When set, the stream pauses after its first content chunk until the task completes.</summary>
    public Task? HoldStreamAfterFirstChunk { get; set; }

    /// <summary>Completed when the vendor has written the whole stream (or failed writing it).</summary>
    public TaskCompletionSource StreamFinished { get; private set; } = NewSignal();

    /// <summary>When set, calls answer this status with an OpenAI error body (all of them, or the first <see cref="FailureCount"/>).</summary>
    public (int Status, string Message, string? RetryAfter)? Failure { get; set; }

    /// <summary>How many calls <see cref="Failure"/> applies to; null = every call.</summary>
    public int? FailureCount { get; set; }

    private int _failed;

    /// <summary>When set, the stream sends one content chunk and then an in-stream error frame.</summary>
    public bool FailMidStream { get; set; }

    public int PromptTokens { get; set; } = 11;
    public int CompletionTokens { get; set; } = 7;

    public static async Task<FakeOpenAIVendor> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOpenAIVendor? vendor = null;
        app.MapPost("/v1/chat/completions", (HttpContext context) => vendor!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        vendor = new FakeOpenAIVendor(app, new Uri(address.TrimEnd('/') + "/v1"));
        return vendor;
    }

    public void ResetStreamSignal() => StreamFinished = NewSignal();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task HandleAsync(HttpContext context)
    {
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
        Requests.Enqueue(body);
        var authorization = context.Request.Headers.Authorization.ToString();
        AuthorizationHeaders.Enqueue(authorization);

        if (authorization != "Bearer " + ApiKey)
        {
            await WriteErrorAsync(context, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
            return;
        }
        if (Failure is { } failure && (FailureCount is null || Interlocked.Increment(ref _failed) <= FailureCount))
        {
            if (failure.RetryAfter is not null) context.Response.Headers.RetryAfter = failure.RetryAfter;
            await WriteErrorAsync(context, failure.Status, failure.Message, failure.Status == 429 ? "requests" : "server_error", null);
            return;
        }

        var model = body["model"]?.GetValue<string>() ?? "";
        if (body["stream"]?.GetValue<bool>() == true)
        {
            await StreamAsync(context, model, body["stream_options"]?["include_usage"]?.GetValue<bool>() == true);
            return;
        }

        var completion = new JsonObject
        {
            ["id"] = "chatcmpl-fake123",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = model + "-2024-07-18",
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(StreamPieces), ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
            ["usage"] = Usage(),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(completion.ToJsonString());
    }

    private async Task StreamAsync(HttpContext context, string model, bool includeUsage)
    {
        try
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await SendAsync(context, Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }, null, includeUsage));
            for (var i = 0; i < StreamPieces.Count; i++)
            {
                await SendAsync(context, Chunk(model, new JsonObject { ["content"] = StreamPieces[i] }, null, includeUsage));
                if (i == 0 && HoldStreamAfterFirstChunk is { } hold) await hold.WaitAsync(context.RequestAborted);
                if (i == 0 && FailMidStream)
                {
                    await SendRawAsync(context, "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
                    return;
                }
            }
            await SendAsync(context, Chunk(model, new JsonObject(), "stop", includeUsage));
            if (includeUsage)
            {
                var usageChunk = Chunk(model, null, null, true);
                usageChunk["choices"] = new JsonArray();
                usageChunk["usage"] = Usage();
                await SendAsync(context, usageChunk);
            }
            await SendRawAsync(context, "data: [DONE]\n\n");
        }
        finally
        {
            StreamFinished.TrySetResult();
        }
    }

    private JsonObject Usage() => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = PromptTokens + CompletionTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
    };

    private static JsonObject Chunk(string model, JsonObject? delta, string? finishReason, bool includeUsage)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-fake123",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_700_000_000,
            ["model"] = model + "-2024-07-18",
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject
            {
                ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason,
            }),
        };
        if (includeUsage) chunk["usage"] = null;
        return chunk;
    }

    private static Task SendAsync(HttpContext context, JsonObject chunk) => SendRawAsync(context, "data: " + chunk.ToJsonString() + "\n\n");

    private static async Task SendRawAsync(HttpContext context, string frame)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message, string type, string? code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
        };
        return context.Response.WriteAsync(error.ToJsonString());
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
