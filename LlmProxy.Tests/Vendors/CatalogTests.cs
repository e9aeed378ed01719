using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Vendors;

/// <summary>The model catalog: listed by GET /v1/models, overridable in settings, the source of each call's cost.</summary>
public sealed class CatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_model_list_has_the_seeds_models_with_context_vision_and_prices()
    {
        await using var host = await ProxyHost.StartAsync();

        var models = (await host.Client.GetFromJsonAsync<JsonObject>("/v1/models", Ct))!["data"]!.AsArray().ToDictionary(m => m!["id"]!.GetValue<string>());

        foreach (var id in new[] { "openai/gpt-3.5-turbo", "openai/gpt-4-turbo", "anthropic/claude-3-opus", "anthropic/claude-3-sonnet", "mistral/mistral-large",
                     "mistral/mistral-medium", "mistral/mistral-small", "deepseek/deepseek-chat", "deepseek/deepseek-coder", "cohere/command",
                     "cohere/command-light", "gemini/gemini-pro", "gemini/gemini-pro-vision" })
            Assert.True(models.ContainsKey(id), id);
        var vision = models["gemini/gemini-pro-vision"]!;
        Assert.True(vision["vision"]!.GetValue<bool>());
        Assert.False(models["deepseek/deepseek-chat"]!["vision"]!.GetValue<bool>());
        Assert.Equal(200_000, models["anthropic/claude-3-opus"]!["context_window"]!.GetValue<int>());
        Assert.Equal((15m, 75m), (models["anthropic/claude-3-opus"]!["input_price_per_million"]!.GetValue<decimal>(), models["anthropic/claude-3-opus"]!["output_price_per_million"]!.GetValue<decimal>()));
        Assert.False(models["anthropic/claude-3-opus"]!["configured"]!.GetValue<bool>());
        var haiku = models["anthropic/claude-haiku-4-5"]!;
        Assert.Equal((1m, 0.10m, 1.25m, 5m), (haiku["input_price_per_million"]!.GetValue<decimal>(), haiku["cached_input_price_per_million"]!.GetValue<decimal>(),
            haiku["cache_write_price_per_million"]!.GetValue<decimal>(), haiku["output_price_per_million"]!.GetValue<decimal>()));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", haiku["prices_as_of"]!.GetValue<string>());
        Assert.Null(haiku["reasoning_price_per_million"]);
    }

    [Fact]
    public async Task A_price_set_without_its_date_stops_the_start_naming_the_setting()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Models:openai:gpt-4o:CachedInputPricePerMillion"] = "1",
        }));

        Assert.Contains("LlmProxy:Models:openai:gpt-4o:PricesAsOf", failure.Message);
    }

    [Fact]
    public async Task Settings_override_prices_and_add_models_and_unknown_models_have_no_cost()
    {
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:MockUnconfiguredProviders"] = "true",
            ["LlmProxy:Models:mock:echo:InputPricePerMillion"] = "1000000",
            ["LlmProxy:Models:mock:echo:OutputPricePerMillion"] = "2000000",
            ["LlmProxy:Models:mock:echo:PricesAsOf"] = "2026-11-28",
            ["LlmProxy:Models:mock:parrot:Vision"] = "false",
        });

        foreach (var model in new[] { "echo", "lorem-unknown" })
        {
            var body = $$"""{"model":"mock/{{model}}","messages":[{"role":"user","content":"one two three"}]}""";
            (await host.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct)).EnsureSuccessStatusCode();
        }
        var refused = await host.Client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"mock/parrot","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}""",
            Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        await host.WhenUsageHandledAsync(2); // the refused call never reached a vendor and records nothing
        var rows = (await UsageRows.ReadAsync(host.DatabasePath)).ToDictionary(r => r.Model);
        var echo = rows["echo"];
        Assert.Equal(echo.PromptTokens * 1.0 + echo.CompletionTokens * 2.0, echo.CostUsd);
        Assert.Null(rows["lorem-unknown"].CostUsd);
        var listed = (await host.Client.GetFromJsonAsync<JsonObject>("/v1/models", Ct))!["data"]!.AsArray();
        Assert.Contains(listed, m => m!["id"]!.GetValue<string>() == "mock/parrot");
        Assert.Equal("2026-11-28", listed.Single(m => m!["id"]!.GetValue<string>() == "mock/echo")!["prices_as_of"]!.GetValue<string>());
    }
}
