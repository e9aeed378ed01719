using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>A request a fake vendor received: path and query, headers, JSON body.</summary>
public sealed record RecordedRequest(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, JsonObject Body);

/// <summary>A function call a fake answers with: its id in the vendor's style, the function's name, the arguments' JSON text.</summary>
public sealed record FakeToolCall(string Id, string Name, string Arguments);

/// <summary>A request the fake refuses the way the real vendor would: status and message for its error body.</summary>
public sealed class VendorRejection(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// What every fake vendor shares: Kestrel on a free 127.0.0.1 port, a record of each request, the key check, and
/// the knobs tests turn (an injected failure, a stream held after its first piece or broken mid-way). Each vendor
/// subclass speaks its own wire format, SSE framing included, and validates requests as the real vendor does.
/// </summary>
public abstract partial class FakeVendor : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Root URL (<c>http://127.0.0.1:port/</c>); <see cref="ProxyBaseUrl"/> is what the proxy's BaseUrl setting takes.</summary>
    public Uri RootUrl { get; private set; } = null!;

    public virtual Uri ProxyBaseUrl => RootUrl;

    public abstract string ProviderName { get; }
    public abstract string ApiKey { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The pieces of text a streamed answer is sent in; a whole answer is their concatenation.</summary>
    public IReadOnlyList<string> StreamPieces { get => Current.Value?.Pieces ?? _streamPieces; set => _streamPieces = value; }

    private IReadOnlyList<string> _streamPieces = ["Hello", " from", " the", " fake", " vendor."];

    /// <summary>
    /// The usage the vendor reports, in OpenAI's terms: <see cref="PromptTokens"/> counts every input token (the
    /// cached and cache-written ones included), <see cref="CompletionTokens"/> every output token (reasoning included).
    /// Each fake writes them in its vendor's own shape (Anthropic's <c>input_tokens</c> leaves the cache tokens out).
    /// </summary>
    public int PromptTokens { get => Current.Value?.PromptTokens ?? _promptTokens; set => _promptTokens = value; }
    public int CompletionTokens { get => Current.Value?.CompletionTokens ?? _completionTokens; set => _completionTokens = value; }

    private int _promptTokens = 11;
    private int _completionTokens = 7;

    /// <summary>Prompt tokens read from the vendor's prompt cache (part of <see cref="PromptTokens"/>).</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>Prompt tokens written to the vendor's prompt cache (part of <see cref="PromptTokens"/>); only Anthropic reports them.</summary>
    public int CacheWriteTokens { get; set; }

    /// <summary>Reasoning tokens (part of <see cref="CompletionTokens"/>); Anthropic and Cohere do not report them apart.</summary>
    public int ReasoningTokens { get; set; }

    /// <summary>When set, the stream pauses after its first content piece until the task completes.</summary>
    public Task? HoldStreamAfterFirstChunk { get; set; }

    /// <summary>
    /// When set, a whole answer is held until the task completes, then billed, whether or not the caller is still
    /// waiting (a vendor finishes a non-streamed answer it has begun).
    /// </summary>
    public Task? HoldWholeAnswer { get; set; }

    /// <summary>Released once for each whole answer <see cref="HoldWholeAnswer"/> holds.</summary>
    public SemaphoreSlim WholeAnswerHeld { get; } = new(0);

    /// <summary>Completed when the vendor has written the whole stream (or stopped writing it).</summary>
    public TaskCompletionSource StreamFinished { get; private set; } = NewSignal();

    /// <summary>When set, calls answer this status with the vendor's error body (all of them, or the first <see cref="FailureCount"/>).</summary>
    public (int Status, string Message, string? RetryAfter)? Failure { get; set; }

    /// <summary>How many calls <see cref="Failure"/> applies to; null = every call.</summary>
    public int? FailureCount { get; set; }

    /// <summary>How many calls are answered normally before <see cref="Failure"/> starts to apply.</summary>
    public int FailAfter { get; set; }

    private int _failed;
    private int _calls;

    /// <summary>When set, the stream sends one content piece and then the vendor's in-stream error.</summary>
    public bool FailMidStream { get; set; }

    /// <summary>When set, a whole answer is this body (status 200), whatever the request: a vendor gone wrong.</summary>
    public string? RawAnswer { get; set; }

    /// <summary>The arguments of every function call the fake makes.</summary>
    public string ToolArguments { get; set; } = FakeArguments;

    public const string FakeArguments = "{\"city\":\"Paris\",\"days\":2}";

    /// <summary>The functions the fake calls when offered tools (in parallel when several); null = the forced one or else the first.</summary>
    public IReadOnlyList<string>? CallTools { get; set; }

    /// <summary>
    /// What a model offered tools does here: nothing when told not to, when no tool is offered, or when the last turn
    /// brings tool results (it answers them in text); otherwise it calls the forced function, or <see cref="CallTools"/>,
    /// or the first one.
    /// </summary>
    protected IReadOnlyList<FakeToolCall> ToolCallsFor(IReadOnlyList<string> offered, string? forced, bool none, bool answersResults, Func<int, string> id)
    {
        if (offered.Count == 0 || none || answersResults) return [];
        IReadOnlyList<string> names = forced is not null ? [forced] : CallTools ?? [offered[0]];
        return names.Select((name, i) => new FakeToolCall(id(i), name, ToolArguments)).ToList();
    }

    /// <summary>What a fake answers when asked for JSON (a response format): the same object its calls take.</summary>
    public string JsonAnswer => ToolArguments;

    /// <summary>The pieces a JSON answer streams in.</summary>
    protected IReadOnlyList<string> JsonPieces => ArgumentPieces(JsonAnswer).ToList();

    /// <summary>The arguments' JSON text cut in three pieces, as vendors stream them.</summary>
    protected static IEnumerable<string> ArgumentPieces(string arguments)
    {
        var third = Math.Max(1, arguments.Length / 3);
        for (var start = 0; start < arguments.Length; start += third)
            yield return arguments[start..Math.Min(arguments.Length, start + third)];
    }

    public static async Task<T> StartAsync<T>() where T : FakeVendor, new()
    {
        var vendor = new T();
        (vendor._app, vendor.RootUrl) = await LoopbackServer.StartAsync(vendor.Map);
        return vendor;
    }

    public void ResetStreamSignal() => StreamFinished = NewSignal();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Maps the vendor's routes to <see cref="HandleAsync"/>.</summary>
    protected abstract void Map(WebApplication app);

    protected abstract bool IsAuthorized(HttpRequest request);

    /// <summary>The vendor's error body for a status and message.</summary>
    protected abstract JsonObject ErrorBody(int status, string message);

    /// <summary>Throws <see cref="VendorRejection"/> for anything the real vendor refuses.</summary>
    protected abstract void Validate(HttpContext context, JsonObject body);

    protected abstract bool IsStreaming(HttpContext context, JsonObject body);

    protected abstract JsonObject Completion(HttpContext context, JsonObject body);

    /// <summary>The frames of a streamed answer, each complete with its SSE framing.</summary>
    protected abstract StreamScript Stream(HttpContext context, JsonObject body);

    /// <summary>The header the real vendor names its request id in, and this fake's id; null when the vendor sends none.</summary>
    protected virtual (string Name, string Value)? RequestIdHeader => null;

        /// <summary>A chat request: validated, then answered whole or streamed.</summary>
    protected Task HandleAsync(HttpContext context) => ServeAsync(context, Validate, async body =>
    {
        if (IsStreaming(context, body))
        {
            await StreamAsync(context, Stream(context, body));
            return;
        }
        context.Response.ContentType = "application/json";
        if (HoldWholeAnswer is { } held)
        {
            WholeAnswerHeld.Release();
            await held;
        }
        // A vendor bills a whole answer once written, whether or not the caller is still there to read it.
        Bill();
        await context.Response.WriteAsync(RawAnswer ?? Completion(context, body).ToJsonString());
    });

    /// <summary>An embeddings request, for the vendors that have an embeddings endpoint.</summary>
    protected Task HandleEmbeddingsAsync(HttpContext context) => ServeAsync(context, ValidateEmbeddings, async body =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(RawAnswer ?? Embeddings(context, body).ToJsonString());
    });

    /// <summary>Throws <see cref="VendorRejection"/> for any embeddings request the real vendor refuses.</summary>
    protected virtual void ValidateEmbeddings(HttpContext context, JsonObject body) =>
        throw new VendorRejection(404, "This vendor has no embeddings endpoint.");

    /// <summary>The vendor's embeddings answer: one <see cref="FakeEmbeddings.Vector"/> per text, usage from <see cref="FakeEmbeddings.Tokens"/>.</summary>
    protected virtual JsonObject Embeddings(HttpContext context, JsonObject body) => throw new NotSupportedException();

    /// <summary>What every request goes through first: recorded, the key checked, an injected failure, the vendor's validation.</summary>
    private async Task ServeAsync(HttpContext context, Action<HttpContext, JsonObject> validate, Func<JsonObject, Task> answer)
    {
        if (RequestIdHeader is { } requestId) context.Response.Headers[requestId.Name] = requestId.Value;
        var text = await new StreamReader(context.Request.Body).ReadToEndAsync();
        JsonObject body;
        try
        {
            body = JsonNode.Parse(text)?.AsObject() ?? throw new VendorRejection(400, "The body is not a JSON object.");
        }
        catch (System.Text.Json.JsonException)
        {
            await WriteErrorAsync(context, 400, "The body is not valid JSON.");
            return;
        }
        Requests.Enqueue(new RecordedRequest(context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body));

        if (!IsAuthorized(context.Request))
        {
            await WriteErrorAsync(context, 401, "invalid api key");
            return;
        }
        var call = Interlocked.Increment(ref _calls);
        if (Failure is { } failure && call > FailAfter && (FailureCount is null || Interlocked.Increment(ref _failed) <= FailureCount))
        {
            if (failure.RetryAfter is not null) context.Response.Headers.RetryAfter = failure.RetryAfter;
            await WriteErrorAsync(context, failure.Status, failure.Message);
            return;
        }
        try
        {
            validate(context, body);
        }
        catch (VendorRejection rejection)
        {
            await WriteErrorAsync(context, rejection.Status, rejection.Message);
            return;
        }
        // From here on the vendor works on the request, and bills it.
        BeginBill(text, body);
        await answer(body);
    }

    private async Task StreamAsync(HttpContext context, StreamScript script)
    {
        var sent = 0;
        try
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            foreach (var frame in script.Opening) await SendRawAsync(context, frame);
            var pieces = script.Pieces ?? StreamPieces;
            for (var i = 0; i < pieces.Count; i++)
            {
                foreach (var frame in script.Piece(pieces[i])) await SendRawAsync(context, frame);
                sent++;
                if (i > 0) continue;
                if (HoldStreamAfterFirstChunk is { } hold) await hold.WaitAsync(context.RequestAborted);
                if (FailMidStream)
                {
                    await SendRawAsync(context, script.MidStreamError);
                    return;
                }
            }
            foreach (var frame in script.Closing) await SendRawAsync(context, frame);
        }
        finally
        {
            // A stream is billed for the output written until it stopped: vendors stop generating when the caller leaves.
            Bill(sent);
            StreamFinished.TrySetResult();
        }
    }

    protected static async Task SendRawAsync(HttpContext context, string frame)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(ErrorBody(status, message).ToJsonString());
    }

    /// <summary>An SSE frame: optional event name, one data line, blank line.</summary>
    protected static string Frame(JsonNode data, string? eventName = null, string newline = "\n") =>
        (eventName is null ? "" : $"event: {eventName}{newline}") + $"data: {data.ToJsonString()}{newline}{newline}";

    /// <summary>Refuses body fields the vendor does not define.</summary>
    protected static void RefuseUnknownFields(JsonObject body, IReadOnlyCollection<string> known, Func<string, string> message, int status = 400)
    {
        foreach (var (name, _) in body)
            if (!known.Contains(name)) throw new VendorRejection(status, message(name));
    }

    protected string Answer => string.Concat(StreamPieces);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// A streamed answer: frames before the text, the frames for each piece, frames after, and a mid-stream error; the
/// pieces are <see cref="FakeVendor.StreamPieces"/> unless the script brings its own (a JSON answer).
/// </summary>
public sealed record StreamScript(IReadOnlyList<string> Opening, Func<string, IReadOnlyList<string>> Piece, IReadOnlyList<string> Closing, string MidStreamError,
    IReadOnlyList<string>? Pieces = null);
