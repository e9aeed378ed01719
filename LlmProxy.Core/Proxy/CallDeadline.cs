using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// The total time one vendor call may take, streaming included, on top of the caller's own cancellation. Tells a
/// deadline that expired apart from a caller that left, so only the first becomes a 504.
/// </summary>
internal sealed class CallDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenRegistration _callerLeft;
    private readonly CancellationToken _caller;
    private readonly string _provider;
    private readonly TimeSpan _limit;

    public CallDeadline(string provider, TimeSpan limit, TimeProvider clock, CancellationToken caller)
    {
        _provider = provider;
        _limit = limit;
        _caller = caller;
        // One source that the timer and the caller both cancel: a linked source would add a second one per call.
        _source = new CancellationTokenSource(limit, clock);
        _callerLeft = caller.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _source);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The cancellation came from the deadline, not from the caller.</summary>
    public bool Expired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public ProxyException Error() => VendorErrorMapper.Timeout(_provider, _limit);

    public void Dispose()
    {
        _callerLeft.Dispose();
        _source.Dispose();
    }
}
