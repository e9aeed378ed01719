using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;

// Starts every fake vendor on 127.0.0.1, prints one JSON line {vendor: {baseUrl, apiKey}}, and runs until its
// standard input closes (the parent process ended or closed the pipe).
FakeVendor[] fakes =
[
    await FakeVendor.StartAsync<FakeOpenAIVendor>(),
    await FakeVendor.StartAsync<FakeAnthropicVendor>(),
    await FakeVendor.StartAsync<FakeGeminiVendor>(),
    await FakeVendor.StartAsync<FakeCohereVendor>(),
    await FakeVendor.StartAsync<FakeMistralVendor>(),
    await FakeVendor.StartAsync<FakeDeepSeekVendor>(),
    await FakeVendor.StartAsync<FakeAzureOpenAIVendor>(),
];
// Every fake reports prompt-cache and reasoning tokens (those its vendor reports), so the SDKs read them too.
foreach (var fake in fakes)
    (fake.CachedPromptTokens, fake.CacheWriteTokens, fake.ReasoningTokens) = (4, fake is FakeAnthropicVendor ? 2 : 0, 3);
var urls = new JsonObject();
foreach (var fake in fakes)
    urls[fake.ProviderName] = new JsonObject { ["rootUrl"] = fake.RootUrl.ToString(), ["baseUrl"] = fake.ProxyBaseUrl.ToString(), ["apiKey"] = fake.ApiKey };
Console.WriteLine(urls.ToJsonString());
Console.Out.Flush();

await Console.In.ReadToEndAsync();
foreach (var fake in fakes) await fake.DisposeAsync();
