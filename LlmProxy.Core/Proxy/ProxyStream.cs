using System.Runtime.CompilerServices;
using LlmProxy.Core.Caching;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// A vendor stream on its way to the caller, chunk by chunk, never buffered. Its usage event is published after the
/// last chunk (before the caller's <c>[DONE]</c>), or when it is disposed if it ended otherwise: failed at the vendor,
/// or abandoned by the caller.
/// </summary>
public sealed class ProxyStream : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ChatCompletionChunk> _vendor;
    private readonly ChatCompletionChunk _first;
    private readonly CallAccounting _accounting;
    private readonly UsagePublisher _publisher;

    private readonly CachedStreamCapture? _capture;
    private readonly CallDeadline? _deadline;

    /// <param name="capture">Sees every chunk and stores the stream once it completed normally (never a partial one): the cache's hook.</param>
    internal ProxyStream(IAsyncEnumerator<ChatCompletionChunk> vendor, ChatCompletionChunk first, CallAccounting accounting, UsagePublisher publisher, string provider,
        CachedStreamCapture? capture = null, CallDeadline? deadline = null)
    {
        _deadline = deadline;
        _capture = capture;
        _vendor = vendor;
        _first = first;
        _accounting = accounting;
        _publisher = publisher;
        Provider = provider;
        VendorModel = first.Model;
    }

    /// <summary>The vendor that is answering (the mock when it stands in).</summary>
    public string Provider { get; }

    /// <summary>The vendor's name for the model that answers, from its first chunk (e.g. a dated model id).</summary>
    public string VendorModel { get; }

    /// <summary>
    /// The chunks as the vendor sends them, each stamped with <see cref="Provider"/>. If the vendor sent no usage
    /// a final estimated usage chunk is added. A vendor failure mid-stream surfaces as <see cref="ProxyException"/>.
    /// </summary>
    public async IAsyncEnumerable<ChatCompletionChunk> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var chunk = _first;
        while (true)
        {
            _accounting.Observe(chunk);
            chunk.Provider = Provider;
            _capture?.Add(chunk);
            yield return chunk;
            cancellationToken.ThrowIfCancellationRequested();

            bool more;
            try
            {
                more = await _vendor.MoveNextAsync().ConfigureAwait(false);
            }
            catch (ProxyException e)
            {
                _accounting.Failed(e);
                throw;
            }
            catch (OperationCanceledException) when (_deadline?.Expired == true)
            {
                var late = _deadline.Error();
                _accounting.Failed(late);
                throw late;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var broken = VendorErrorMapper.MidStream(Provider, $"The {Provider} stream broke off (the connection failed).");
                _accounting.Failed(broken);
                throw broken;
            }
            if (!more) break;
            chunk = _vendor.Current;
        }

        if (_accounting.VendorUsage is null)
        {
            var usage = _accounting.Charge().Usage;
            var usageChunk = new ChatCompletionChunk { Id = _first.Id, Created = _first.Created, Model = _first.Model, Choices = [], Usage = usage, Provider = Provider };
            _capture?.Add(usageChunk);
            yield return usageChunk;
        }
        _accounting.Succeeded((ChatUsage?)null);
        if (_capture is not null) await _capture.CompleteAsync().ConfigureAwait(false);
        // Before the caller's [DONE]: a stream the caller saw complete is one whose usage is already durable.
        await _publisher.PublishAsync(_accounting).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _vendor.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _deadline?.Dispose();
            await _publisher.PublishAsync(_accounting).ConfigureAwait(false);
        }
    }
}
