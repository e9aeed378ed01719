using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for an Azure OpenAI resource (<c>https://{resource}.openai.azure.com/</c>): the v1 API under
/// <c>/openai/v1/</c> (the deployment in <c>model</c>) and the dated API under <c>/openai/deployments/{deployment}/</c>
/// (an <c>api-version</c> required). It authenticates as Azure does: the resource key in <c>api-key</c>, or, when
/// <see cref="BearerToken"/> is set, only that Entra ID token as <c>Authorization: Bearer</c>. A deployment it does not
/// have is a 404 <c>DeploymentNotFound</c>. Answers carry Azure's content-filter annotations (a first stream chunk with
/// no choices and <c>prompt_filter_results</c>; <c>content_filter_results</c> per choice); a prompt containing
/// <see cref="FilteredPrompt"/> is refused with Azure's 400 <c>content_filter</c>, and one containing
/// <see cref="FilteredAnswer"/> gets an answer cut off with <c>finish_reason: content_filter</c>.
/// </summary>
public sealed partial class FakeAzureOpenAIVendor : OpenAIStyleFakeVendor
{
    public const string Key = "fake-azure-resource-key";
    public const string FilteredPrompt = "[violent prompt]";
    public const string FilteredAnswer = "[prompt for a violent answer]";
    private const string ContentFilterMessage = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    private static partial Regex ApiVersion();

    public override string ProviderName => "azure";
    public override string ApiKey => Key;

    /// <summary>When set, the resource takes only this Entra ID token, and no key.</summary>
    public string? BearerToken { get; set; }

    /// <summary>The resource's deployments (named after their models, as most are).</summary>
    public HashSet<string> Deployments { get; } = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"];

    protected override IReadOnlyList<string> ChatPaths => ["/openai/v1/chat/completions", "/openai/deployments/{deployment}/chat/completions"];
    protected override IReadOnlyList<string> EmbeddingPaths => ["/openai/v1/embeddings", "/openai/deployments/{deployment}/embeddings"];

    protected override bool IsAuthorized(HttpRequest request) => BearerToken is { } token
        ? request.Headers.Authorization.ToString() == "Bearer " + token && !request.Headers.ContainsKey("api-key")
        : request.Headers["api-key"].ToString() == Key;

    protected override JsonObject ErrorBody(int status, string message) => status switch
    {
        401 => new JsonObject { ["error"] = new JsonObject { ["code"] = "401", ["message"] = message } },
        404 => new JsonObject { ["error"] = new JsonObject { ["code"] = "DeploymentNotFound", ["message"] = message } },
        400 when message == ContentFilterMessage => new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message, ["type"] = null, ["param"] = "prompt", ["code"] = "content_filter", ["status"] = 400,
                ["innererror"] = new JsonObject
                {
                    ["code"] = "ResponsibleAIPolicyViolation",
                    ["content_filter_result"] = FilterResults(violence: "medium"),
                },
            },
        },
        _ => base.ErrorBody(status, message),
    };

    /// <summary>Azure's per-category verdicts; <paramref name="violence"/> set marks that category filtered at that severity.</summary>
    private static JsonObject FilterResults(string? violence = null)
    {
        var results = new JsonObject();
        foreach (var category in new[] { "hate", "self_harm", "sexual", "violence" })
            results[category] = new JsonObject
            {
                ["filtered"] = category == "violence" && violence is not null,
                ["severity"] = category == "violence" && violence is not null ? violence : "safe",
            };
        results["jailbreak"] = new JsonObject { ["filtered"] = false, ["detected"] = false };
        return results;
    }

    private static JsonArray PromptFilterResults() => [new JsonObject { ["prompt_index"] = 0, ["content_filter_results"] = FilterResults() }];

    /// <summary>The deployment a call names: in the path (dated API, with its api-version checked) or in <c>model</c> (v1).</summary>
    private string Deployment(HttpContext context, JsonObject body)
    {
        string? deployment;
        if (context.Request.RouteValues["deployment"] is string inPath)
        {
            if (context.Request.Query["api-version"].ToString() is not { } version || !ApiVersion().IsMatch(version))
                throw new VendorRejection(404, "Resource not found");
            deployment = inPath;
        }
        else deployment = body["model"]?.GetValue<string>();
        if (deployment is null || !Deployments.Contains(deployment))
            throw new VendorRejection(404, "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.");
        return deployment;
    }

    private static string LastUserText(JsonObject body) => body["messages"]!.AsArray()[^1]?["content"]?.ToJsonString() ?? "";

    protected override void Validate(HttpContext context, JsonObject body)
    {
        Deployment(context, body);
        base.Validate(context, body);
        if (LastUserText(body).Contains(FilteredPrompt, StringComparison.Ordinal)) throw new VendorRejection(400, ContentFilterMessage);
    }

    protected override JsonObject Completion(HttpContext context, JsonObject body)
    {
        var completion = base.Completion(context, body);
        completion["prompt_filter_results"] = PromptFilterResults();
        var choice = completion["choices"]![0]!.AsObject();
        if (LastUserText(body).Contains(FilteredAnswer, StringComparison.Ordinal))
        {
            choice["message"]!["content"] = null;
            choice["finish_reason"] = "content_filter";
            choice["content_filter_results"] = FilterResults(violence: "high");
        }
        else choice["content_filter_results"] = FilterResults();
        return completion;
    }

    /// <summary>Azure's stream: a first chunk with no choices and the prompt's filter results, then OpenAI's chunks.</summary>
    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        var script = base.Stream(context, body);
        var promptFilter = new JsonObject
        {
            ["choices"] = new JsonArray(), ["created"] = 0, ["id"] = "", ["model"] = "", ["object"] = "", ["prompt_filter_results"] = PromptFilterResults(),
        };
        var opening = script.Opening.Prepend(Frame(promptFilter)).ToList();
        if (!LastUserText(body).Contains(FilteredAnswer, StringComparison.Ordinal)) return script with { Opening = opening };
        var finish = Chunk(body, new JsonObject(), "content_filter");
        finish["choices"]![0]!["content_filter_results"] = FilterResults(violence: "high");
        return script with { Opening = opening, Closing = [Frame(finish), .. script.Closing.Skip(1)] };
    }

    private static readonly HashSet<string> EmbeddingFields = ["model", "input", "dimensions", "encoding_format", "user"];

    protected override void ValidateEmbeddings(HttpContext context, JsonObject body)
    {
        var deployment = Deployment(context, body);
        RefuseUnknownFields(body, EmbeddingFields, name => $"Unrecognized request argument supplied: {name}");
        FakeEmbeddings.Texts(body["input"], 2048);
        if (body["dimensions"] is not null && !deployment.StartsWith("text-embedding-3", StringComparison.Ordinal))
            throw new VendorRejection(400, "This model does not support specifying dimensions.");
    }

    protected override JsonObject Embeddings(HttpContext context, JsonObject body) =>
        EmbeddingList(context.Request.RouteValues["deployment"] as string ?? Model(body), FakeEmbeddings.Texts(body["input"], 2048),
            body["dimensions"]?.GetValue<int>() ?? FakeEmbeddings.DefaultDimensions, body["encoding_format"]?.GetValue<string>() == "base64");
}
