using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// The total time one vendor call may take, streaming included, on top of the caller's own cancellation. Tells a
/// deadline that expired apart from a caller that left, so only the first becomes a 504.
/// </summary>
internal sealed class CallDeadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _caller;
    private readonly string _provider;
    private readonly TimeSpan _limit;

    public CallDeadline(string provider, TimeSpan limit, TimeProvider clock, CancellationToken caller)
    {
        _provider = provider;
        _limit = limit;
        _caller = caller;
        _timeout = new CancellationTokenSource(limit, clock);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timeout.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>The cancellation came from the deadline, not from the caller.</summary>
    public bool Expired => _timeout.IsCancellationRequested && !_caller.IsCancellationRequested;

    public ProxyException Error() => VendorErrorMapper.Timeout(_provider, _limit);

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
