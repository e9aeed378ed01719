using System.Net;
using System.Text;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Tools;

/// <summary>
/// Golden files: per vendor, a native stream with a tool call in the vendor's exact wire format
/// (<c>Golden/&lt;vendor&gt;.native.sse</c>, replayed byte for byte) and the OpenAI-form stream the proxy must make of
/// it (<c>Golden/&lt;vendor&gt;.openai.sse</c>), compared byte for byte, so any change to a translation shows up here.
/// </summary>
public sealed class GoldenStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Golden(string name) => Path.Combine(RepositoryPaths.Root, "LlmProxy.Tests", "Golden", name);

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_native_tool_call_stream_becomes_the_expected_OpenAI_stream_byte_for_byte(string provider)
    {
        var vendorCase = VendorCase.All[provider];
        var native = await File.ReadAllBytesAsync(Golden($"{provider}.native.sse"), Ct);
        var (app, root) = await LoopbackServer.StartAsync(app => app.MapPost("/{**path}", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.Body.WriteAsync(native, context.RequestAborted);
        }));
        await using var vendor = app;
        var baseUrl = provider is "openai" or "mistral" ? new Uri(root, "v1/") : root;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        await using var host = await ProxyHost.StartAsync(vendorCase.Settings(baseUrl, "recorded-key"), configure: b => b.Services.AddSingleton<TimeProvider>(clock));

        using var response = await ToolCallTests.PostAsync(host, "/v1/chat/completions", ToolCallTests.Body("/v1/chat/completions", vendorCase,
            $$"""
            "stream":true,"stream_options":{"include_usage":true},"tools":{{ToolCallTests.Tools}},"messages":[{"role":"user","content":"Weather in Paris for two days?"}]
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var actual = await response.Content.ReadAsByteArrayAsync(Ct);
        var golden = Golden($"{provider}.openai.sse");
        var expected = File.Exists(golden) ? await File.ReadAllBytesAsync(golden, Ct) : [];
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            var written = Path.Combine(Path.GetTempPath(), $"{provider}.openai.sse");
            await File.WriteAllBytesAsync(written, actual, Ct);
            Assert.Fail($"The {provider} stream differs from Golden/{provider}.openai.sse; what the proxy wrote is in {written}:\n{Encoding.UTF8.GetString(actual)}");
        }
    }
}
