using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Embeddings;

/// <summary>One parsed embeddings call: the texts, who is calling, which vendor and model, and the options.</summary>
/// <param name="Inputs">The texts, in the caller's order; the answer's <c>index</c> is the position here.</param>
/// <param name="Model">The model as the caller named it (the catalog's name); <see cref="VendorModel"/> is what the vendor gets.</param>
public sealed record EmbeddingCall(IReadOnlyList<string> Inputs, string Provider, string Model, string TenantId, string UserId)
{
    public string VendorModel { get; init; } = Model;
    public int? Dimensions { get; init; }
    public EmbeddingEncoding Encoding { get; init; }

    /// <summary>What the vectors are for (<c>search_document</c>, <c>search_query</c>, <c>classification</c>, <c>clustering</c>); null: the vendor's default.</summary>
    public string? InputType { get; init; }

    /// <summary>The caller asked not to use the response cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>The front door's id for the request; the usage event and request-log entry take it as their id.</summary>
    public string? RequestId { get; init; }

    /// <summary>The id of the key the call came with, for the request log.</summary>
    public string? KeyId { get; init; }

    /// <summary>
    /// At least what any vendor bills for the texts: a token covers one UTF-8 byte or more, and a few tokens per text
    /// cover the markers some models add around it (a task prefix, begin and end of text). Nothing is generated.
    /// </summary>
    public CallBound Bound()
    {
        long total = 0;
        foreach (var input in Inputs) total += System.Text.Encoding.UTF8.GetByteCount(input) + TokensAroundEachInput;
        return new CallBound(total, OutputTokens: 0);
    }

    private const int TokensAroundEachInput = 4;
}

public enum EmbeddingEncoding
{
    Float,
    /// <summary>Each vector as the base64 of its little-endian float32 values, as OpenAI sends it.</summary>
    Base64,
}

/// <summary>The <c>input_type</c> values the proxy accepts, Cohere's names.</summary>
public static class EmbeddingInputTypes
{
    public const string SearchDocument = "search_document";
    public const string SearchQuery = "search_query";
    public const string Classification = "classification";
    public const string Clustering = "clustering";

    public static readonly IReadOnlyList<string> All = [SearchDocument, SearchQuery, Classification, Clustering];
}
