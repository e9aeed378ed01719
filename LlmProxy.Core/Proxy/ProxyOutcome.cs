using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Proxy;

/// <summary>What the pipeline hands the front door: a whole answer, or a stream to forward.</summary>
public sealed class ProxyOutcome
{
    private ProxyOutcome(ChatCompletion? completion, ProxyStream? stream, IReadOnlyDictionary<string, string>? headers)
    {
        Completion = completion;
        Stream = stream;
        Headers = headers ?? new Dictionary<string, string>();
    }

    public ChatCompletion? Completion { get; }
    public ProxyStream? Stream { get; }

    /// <summary>Response headers such as the rate-limit state.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public static ProxyOutcome Whole(ChatCompletion completion, IReadOnlyDictionary<string, string>? headers = null) => new(completion, null, headers);
    public static ProxyOutcome Streaming(ProxyStream stream, IReadOnlyDictionary<string, string>? headers = null) => new(null, stream, headers);
}
