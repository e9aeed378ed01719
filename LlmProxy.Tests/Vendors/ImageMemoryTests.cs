using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LlmProxy.Tests.Vendors;

/// <summary>
/// Image URLs cost the proxy memory (Gemini needs the bytes inline), so one small request must not be able to make it
/// hold gigabytes: a cap on URLs per request and on bytes per request, a bound on fetches running at once, and the
/// fetched bytes held once and written as base64 straight into the vendor request.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class ImageMemoryTests
{
    private const int ImageBytes = 10 * 1024 * 1024;
    private const long MiB = 1024 * 1024;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The review's request: a few KB of JSON naming 60 image URLs of 10 MB each.</summary>
    [Fact]
    public async Task The_request_with_60_image_urls_of_10_MB_is_refused_at_the_url_cap_before_any_fetch()
    {
        await using var images = await BigImageServer.StartAsync();
        await using var vendor = await DrainingGemini.StartAsync();
        await using var host = await StartProxyAsync(vendor, []);
        var body = ImageRequest(images, 60);
        // Minutes, not the host client's 30 s: without the caps this call moves gigabytes.
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await host.KeyForAsync(ProxyHost.DefaultTenant));

        var (response, peakRss) = await WithPeakRssAsync(() => client.PostAsync("/v1/chat/completions", body, Ct));

        Log($"{body.Headers.ContentLength / 1024} KB request, 60 URLs of 10 MiB: HTTP {(int)response.StatusCode}, {images.Hits} fetches, peak RSS growth {peakRss / MiB} MiB");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("LlmProxy:Images:MaxUrlsPerRequest", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, images.Hits);
        Assert.Equal(0, vendor.Calls);
        Assert.True(peakRss < 64 * MiB, $"peak RSS grew {peakRss / MiB} MiB");
    }

    [Fact]
    public async Task Fetched_images_are_held_once_as_bytes_and_written_as_base64_into_the_vendor_request()
    {
        const int count = 8;
        await using var images = await BigImageServer.StartAsync();
        await using var vendor = await DrainingGemini.StartAsync();
        await using var host = await StartProxyAsync(vendor, new()
        {
            ["LlmProxy:Images:MaxUrlsPerRequest"] = $"{count}",
            ["LlmProxy:Images:MaxBytesPerRequest"] = $"{count * ImageBytes}",
        });
        vendor.Baseline = MemoryCollection.LiveBytes();

        using var response = await host.Client.PostAsync("/v1/chat/completions", ImageRequest(images, count), Ct);

        var held = vendor.HeldWhenCalled - vendor.Baseline;
        Log($"{count} images of 10 MiB fetched ({count * ImageBytes / MiB} MiB): managed memory held when the vendor request started: {held / MiB} MiB; vendor body {vendor.BodyBytes / MiB} MiB");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(count, images.Hits);
        Assert.True(vendor.BodyBytes >= count * (long)ImageBytes * 4 / 3, $"the vendor got {vendor.BodyBytes} bytes");
        // The bytes themselves, plus the serializer's buffer for one image's base64 (grown by doubling, so up to twice
        // that in pooled arrays): not a base64 string per image, nor the whole request in one buffer.
        Assert.True(held < count * (long)ImageBytes + 48 * MiB, $"held {held / MiB} MiB for {count * ImageBytes / MiB} MiB of images");
    }

    [Fact]
    public async Task Fetched_bytes_per_request_are_capped_with_a_413_naming_the_setting()
    {
        await using var images = await BigImageServer.StartAsync();
        await using var vendor = await DrainingGemini.StartAsync();
        await using var host = await StartProxyAsync(vendor, new() { ["LlmProxy:Images:MaxBytesPerRequest"] = $"{25 * MiB}" });

        using var response = await host.Client.PostAsync("/v1/chat/completions", ImageRequest(images, 3), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Contains("LlmProxy:Images:MaxBytesPerRequest", error["message"]!.GetValue<string>());
        Assert.Equal("messages[0].content[3].image_url.url", error["param"]!.GetValue<string>());
        Assert.Equal(0, vendor.Calls);
    }

    [Fact]
    public async Task Fetches_running_at_once_on_an_instance_are_bounded()
    {
        const int calls = 6;
        await using var images = await BigImageServer.StartAsync(holdEachFetch: true);
        await using var vendor = await DrainingGemini.StartAsync();
        await using var host = await StartProxyAsync(vendor, new() { ["LlmProxy:Images:MaxConcurrentFetches"] = "2" });

        var answers = Enumerable.Range(0, calls).Select(_ => host.Client.PostAsync("/v1/chat/completions", ImageRequest(images, 1, bytes: 1024), Ct)).ToList();
        await images.InFlightReached(2).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        // A third fetch may not start while two are held; a second is enough to show one would have.
        var third = images.InFlightReached(3);
        await Task.WhenAny(third, Task.Delay(TimeSpan.FromSeconds(1), Ct));
        images.ReleaseAll();
        var responses = await Task.WhenAll(answers);

        Log($"{calls} calls with one image each, at most 2 fetches at once: the image server saw at most {images.MaxInFlight} at once");
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.False(third.IsCompleted);
        Assert.Equal(2, images.MaxInFlight);
    }

    private static Task<ProxyHost> StartProxyAsync(DrainingGemini vendor, Dictionary<string, string?> extra)
    {
        var settings = VendorCase.All["gemini"].Settings(vendor.RootUrl, DrainingGemini.Key, timeoutSeconds: 60);
        settings["LlmProxy:Images:AllowPrivateNetworks"] = "true";
        settings["LlmProxy:Images:TimeoutSeconds"] = "60";
        // About memory, not quotas: dozens of images reserve more than the default user quota (each at its per-image cap).
        settings["LlmProxy:Quota:DefaultUserTokens"] = "0";
        foreach (var (key, value) in extra) settings[key] = value;
        return ProxyHost.StartAsync(settings);
    }

    private static StringContent ImageRequest(BigImageServer images, int count, int bytes = ImageBytes)
    {
        var parts = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "What are these?" });
        for (var i = 0; i < count; i++)
            parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = new Uri(images.BaseUrl, $"img/{i}.png?bytes={bytes}").ToString() } });
        var request = new JsonObject
        {
            ["model"] = "gemini/gemini-2.5-flash",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = parts }),
        };
        return new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
    }

    /// <summary>Runs the call while sampling the process's resident memory; returns the answer and the peak growth.</summary>
    private static async Task<(HttpResponseMessage Response, long PeakRssGrowth)> WithPeakRssAsync(Func<Task<HttpResponseMessage>> call)
    {
        MemoryCollection.LiveBytes();
        var baseline = Environment.WorkingSet;
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token)) peak = Math.Max(peak, Environment.WorkingSet);
            }
            catch (OperationCanceledException)
            {
                // The call is over.
            }
        });
        var response = await call();
        await stop.CancelAsync();
        await sampler;
        return (response, Math.Max(peak, Environment.WorkingSet) - baseline);
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>Serves <c>/img/{n}.png?bytes=N</c>: N bytes of PNG, counting fetches; optionally holding each until released.</summary>
    private sealed class BigImageServer : IAsyncDisposable
    {
        private static readonly byte[] Image = CreateImage();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private WebApplication _app = null!;
        private int _hits;
        private int _inFlight;
        private int _maxInFlight;

        public Uri BaseUrl { get; private set; } = null!;
        public int Hits => Volatile.Read(ref _hits);
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public static async Task<BigImageServer> StartAsync(bool holdEachFetch = false)
        {
            var server = new BigImageServer();
            if (!holdEachFetch) server._release.SetResult();
            (server._app, server.BaseUrl) = await LoopbackServer.StartAsync(app => app.MapGet("/img/{name}", server.ServeAsync));
            return server;
        }

        private async Task ServeAsync(HttpContext context)
        {
            Interlocked.Increment(ref _hits);
            var now = Interlocked.Increment(ref _inFlight);
            lock (_waiters)
            {
                _maxInFlight = Math.Max(_maxInFlight, now);
                foreach (var waiter in _waiters.Where(w => now >= w.Count)) waiter.Reached.TrySetResult();
            }
            try
            {
                await _release.Task.WaitAsync(context.RequestAborted);
                var length = int.Parse(context.Request.Query["bytes"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                context.Response.ContentType = "image/png";
                context.Response.ContentLength = length;
                await context.Response.Body.WriteAsync(Image.AsMemory(0, length), context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public Task InFlightReached(int count)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (_maxInFlight >= count) reached.SetResult();
                else _waiters.Add((count, reached));
            }
            return reached.Task;
        }

        public void ReleaseAll() => _release.TrySetResult();

        private static byte[] CreateImage()
        {
            var bytes = new byte[ImageBytes];
            new Random(17).NextBytes(bytes);
            Convert.FromBase64String(VendorCase.PngBase64).CopyTo(bytes, 0);
            return bytes;
        }

        public async ValueTask DisposeAsync()
        {
            ReleaseAll();
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// A Gemini stand-in that reads the request without keeping it (so its own memory stays out of the figures) and
    /// notes how much managed memory the process held when the request arrived.
    /// </summary>
    private sealed class DrainingGemini : IAsyncDisposable
    {
        public const string Key = "fake-gemini-key";
        private WebApplication _app = null!;
        private int _calls;

        public Uri RootUrl { get; private set; } = null!;
        public long Baseline { get; set; }
        public long HeldWhenCalled { get; private set; }
        public long BodyBytes { get; private set; }
        public int Calls => Volatile.Read(ref _calls);

        public static async Task<DrainingGemini> StartAsync()
        {
            var vendor = new DrainingGemini();
            (vendor._app, vendor.RootUrl) = await LoopbackServer.StartAsync(app => app.MapPost("/v1beta/models/{modelAction}", vendor.HandleAsync));
            return vendor;
        }

        private async Task HandleAsync(HttpContext context)
        {
            if (Interlocked.Increment(ref _calls) == 1) HeldWhenCalled = MemoryCollection.LiveBytes();
            // Kestrel stops a request body at 30 MB by default; these are larger, on purpose.
            context.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = null;
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0) total += read;
            BodyBytes = total;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Pictures."}]},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash"}
                """, context.RequestAborted);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
