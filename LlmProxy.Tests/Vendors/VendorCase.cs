using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Vendors;

/// <summary>
/// One vendor as the shared tests see it: its fake, a text model, a vision model, where its request carries an image,
/// and the settings it needs beside its key and URL.
/// </summary>
public sealed record VendorCase(string Provider, Func<Task<FakeVendor>> StartFake, string TextModel, string? VisionModel,
    Func<JsonObject, string?> SentImage, IReadOnlyDictionary<string, string?>? ExtraSettings = null)
{
    /// <summary>A tiny PNG as a data URL and its raw base64.</summary>
    public const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    public const string PngDataUrl = "data:image/png;base64," + PngBase64;

    private static JsonNode? LastContent(JsonObject body, string messages = "messages", string content = "content") =>
        body[messages]!.AsArray()[^1]![content];

    public static readonly IReadOnlyDictionary<string, VendorCase> All = new Dictionary<string, VendorCase>
    {
        ["openai"] = new("openai", async () => await FakeVendor.StartAsync<FakeOpenAIVendor>(), "gpt-4o-mini", "gpt-4o-mini",
            b => LastContent(b)?[1]?["image_url"]?["url"]?.GetValue<string>()),
        ["anthropic"] = new("anthropic", async () => await FakeVendor.StartAsync<FakeAnthropicVendor>(), "claude-haiku-4-5", "claude-sonnet-4-5",
            b => LastContent(b)?[1]?["source"] is { } s && s["media_type"]?.GetValue<string>() == "image/png" ? s["data"]?.GetValue<string>() : null),
        ["gemini"] = new("gemini", async () => await FakeVendor.StartAsync<FakeGeminiVendor>(), "gemini-2.5-flash", "gemini-2.5-flash",
            b => LastContent(b, "contents", "parts")?[1]?["inlineData"] is { } d && d["mimeType"]?.GetValue<string>() == "image/png" ? d["data"]?.GetValue<string>() : null),
        ["cohere"] = new("cohere", async () => await FakeVendor.StartAsync<FakeCohereVendor>(), "command-a-03-2025", FakeCohereVendor.VisionModel,
            b => LastContent(b)?[1]?["image_url"]?["url"]?.GetValue<string>()),
        ["mistral"] = new("mistral", async () => await FakeVendor.StartAsync<FakeMistralVendor>(), "mistral-small-latest", "pixtral-large-latest",
            b => LastContent(b)?[1]?["image_url"]?["url"]?.GetValue<string>()),
        ["deepseek"] = new("deepseek", async () => await FakeVendor.StartAsync<FakeDeepSeekVendor>(), "deepseek-chat", null, _ => null),
        // Deployments named after their models; the catalog learns what each deploys (for prices and vision) from BaseModel.
        ["azure"] = new("azure", async () => await FakeVendor.StartAsync<FakeAzureOpenAIVendor>(), "gpt-4o-mini", "gpt-4o",
            b => LastContent(b)?[1]?["image_url"]?["url"]?.GetValue<string>(), new Dictionary<string, string?>
            {
                ["LlmProxy:Models:azure:gpt-4o-mini:BaseModel"] = "openai/gpt-4o-mini",
                ["LlmProxy:Models:azure:gpt-4o:BaseModel"] = "openai/gpt-4o",
                ["LlmProxy:Models:azure:text-embedding-3-small:BaseModel"] = "openai/text-embedding-3-small",
            }),
    };

    public static TheoryData<string> Names => new(All.Keys);

    /// <summary>The proxy settings that point this vendor at <paramref name="baseUrl"/>.</summary>
    public Dictionary<string, string?> Settings(Uri baseUrl, string apiKey, int timeoutSeconds = 5)
    {
        var settings = new Dictionary<string, string?>(ExtraSettings ?? new Dictionary<string, string?>())
        {
            [$"LlmProxy:Providers:{Provider}:ApiKey"] = apiKey,
            [$"LlmProxy:Providers:{Provider}:BaseUrl"] = baseUrl.ToString(),
            [$"LlmProxy:Providers:{Provider}:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return settings;
    }
}

/// <summary>A fake vendor and a proxy pointed at it, disposed together.</summary>
public sealed class VendorRig : IAsyncDisposable
{
    private VendorRig(VendorCase vendorCase, FakeVendor fake, ProxyHost host)
    {
        Case = vendorCase;
        Fake = fake;
        Host = host;
    }

    public VendorCase Case { get; }
    public FakeVendor Fake { get; }
    public ProxyHost Host { get; }

    public static async Task<VendorRig> StartAsync(string provider, IDictionary<string, string?>? extraSettings = null)
    {
        var vendorCase = VendorCase.All[provider];
        var fake = await vendorCase.StartFake();
        var settings = vendorCase.Settings(fake.ProxyBaseUrl, fake.ApiKey);
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>()) settings[key] = value;
        return new VendorRig(vendorCase, fake, await ProxyHost.StartAsync(settings));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
