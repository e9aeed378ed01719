using System.ClientModel;
using System.ClientModel.Primitives;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace LlmProxy.Tests.Clients;

/// <summary>
/// The OpenAI .NET SDK and Microsoft.Extensions.AI pointed at a running proxy as a user would point them (base URL
/// <c>/v1</c>, the tenant key, default options: the default retry policy included), over a transport that counts
/// the requests it sends, which is what the proxy sees.
/// </summary>
internal sealed class OpenAIClients(ProxyHost host, string key)
{
    private readonly CountingHandler _counter = new();

    /// <summary>HTTP requests the SDK has sent so far, retries included.</summary>
    public int Requests => _counter.Count;

    private OpenAIClientOptions Options() => new()
    {
        Endpoint = new Uri(host.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(new HttpClient(_counter)),
    };

    public ChatClient Chat(string model) => new(model, new ApiKeyCredential(key), Options());

    public OpenAIModelClient Models() => new(new ApiKeyCredential(key), Options());

    /// <summary>Microsoft.Extensions.AI's chat client over the OpenAI SDK, as its docs set it up.</summary>
    public IChatClient Extensions(string model) => Chat(model).AsIChatClient();

    private sealed class CountingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
