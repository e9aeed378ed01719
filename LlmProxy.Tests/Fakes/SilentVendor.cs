using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>A vendor that accepts the connection and never answers, until the caller gives up.</summary>
public sealed class SilentVendor : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SilentVendor(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Requests received so far.</summary>
    public int Requests => _requests;

    private int _requests;

    public static async Task<SilentVendor> StartAsync()
    {
        SilentVendor? vendor = null;
        var (app, root) = await LoopbackServer.StartAsync(app =>
            // "{**path}" rather than the default fallback pattern, which skips paths with a dot (Gemini's model names).
            app.MapFallback("{**path}", async (HttpContext context) =>
            {
                Interlocked.Increment(ref vendor!._requests);
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
                catch (OperationCanceledException) { }
            }));
        vendor = new SilentVendor(app, new Uri(root, "v1"));
        return vendor;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
