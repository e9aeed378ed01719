using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Embeddings;

/// <summary>
/// Turns a <c>POST /v1/embeddings</c> body into an <see cref="EmbeddingCall"/>, refusing with a 400 that names the
/// field whatever no vendor would take: no texts, an empty text, more texts than one request may carry, a vector
/// length out of range, an unknown encoding or input type, or a field the proxy does not know.
/// </summary>
public sealed class EmbeddingReader(IOptions<ProxyOptions> options)
{
    /// <summary>OpenAI's limit per request; longer lists are for several requests.</summary>
    public const int MaxInputs = 2048;

    /// <summary>Above every vendor's largest vector (OpenAI's text-embedding-3-large has 3,072).</summary>
    public const int MaxDimensions = 16_384;

    public EmbeddingCall Read(ReadOnlySpan<byte> body, string callerTenantId)
    {
        var request = RequestReader.Deserialize(body, ProxyJsonContext.Default.EmbeddingRequest);
        var noCache = RequestReader.CacheDisabled(request.AdditionalProperties);
        foreach (var name in request.AdditionalProperties?.Keys ?? Enumerable.Empty<string>())
            if (name != RequestReader.CacheField)
                throw ProxyException.BadRequest($"'{name}' is not a field of an embeddings request.", name);

        var (provider, model) = RequestReader.ProviderAndModel(request.Model, "openai/text-embedding-3-small");
        if (model.Length > 256 || model.Any(char.IsControl)) throw ProxyException.BadRequest("'model' is not a valid model name.", "model");
        var inputs = request.Input ?? throw ProxyException.BadRequest("'input' is required: a string or an array of strings.", "input");
        if (inputs.Count == 0) throw ProxyException.BadRequest("'input' must hold at least one text.", "input");
        if (inputs.Count > MaxInputs)
            throw ProxyException.BadRequest($"'input' holds {inputs.Count} texts; one request takes at most {MaxInputs}.", "input");
        for (var i = 0; i < inputs.Count; i++)
            if (inputs[i].Length == 0) throw ProxyException.BadRequest($"'input[{i}]' is empty; every text needs at least one character.", $"input[{i}]");
        if (request.Dimensions is < 1 or > MaxDimensions)
            throw ProxyException.BadRequest($"'dimensions' must be between 1 and {MaxDimensions}.", "dimensions");
        var encoding = request.EncodingFormat switch
        {
            null or "float" => EmbeddingEncoding.Float,
            "base64" => EmbeddingEncoding.Base64,
            _ => throw ProxyException.BadRequest($"'encoding_format' must be \"float\" or \"base64\"; got \"{request.EncodingFormat}\".", "encoding_format"),
        };
        if (request.InputType is { } inputType && !EmbeddingInputTypes.All.Contains(inputType))
            throw ProxyException.BadRequest($"'input_type' must be one of {string.Join(", ", EmbeddingInputTypes.All)}; got \"{inputType}\".", "input_type");

        var userId = request.User ?? options.Value.DefaultUserId;
        RequestValidator.CheckId(userId, "user");
        return new EmbeddingCall(inputs, provider, model, callerTenantId, userId)
        {
            Dimensions = request.Dimensions,
            Encoding = encoding,
            InputType = request.InputType,
            NoCache = noCache,
        };
    }
}
