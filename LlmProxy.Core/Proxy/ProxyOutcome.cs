using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Proxy;

/// <summary>What the pipeline hands the front door: a whole answer, or a stream to forward.</summary>
public sealed class ProxyOutcome
{
    private ProxyOutcome(ChatCompletion? completion, ProxyStream? stream)
    {
        Completion = completion;
        Stream = stream;
    }

    public ChatCompletion? Completion { get; }
    public ProxyStream? Stream { get; }

    public static ProxyOutcome Whole(ChatCompletion completion) => new(completion, null);
    public static ProxyOutcome Streaming(ProxyStream stream) => new(null, stream);
}
