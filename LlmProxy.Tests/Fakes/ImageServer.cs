using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>A web server on 127.0.0.1 with an image, a page that is not one, and an image too large to fetch.</summary>
public sealed class ImageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ImageServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<ImageServer> StartAsync(byte[] png, int largeBytes)
    {
        var (app, root) = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/cat.png", () => Results.Bytes(png, "image/png"));
            app.MapGet("/page.html", () => Results.Content("<html></html>", "text/html"));
            app.MapGet("/big.png", () => Results.Bytes(new byte[largeBytes], "image/png"));
        });
        return new ImageServer(app, root);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
