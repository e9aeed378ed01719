using System.Collections.Concurrent;
using Polly.CircuitBreaker;

namespace LlmProxy.Core.Providers.Resilience;

/// <summary>Per-vendor circuit state and recent outcomes, for the status endpoint.</summary>
public sealed class VendorHealth(TimeProvider clock)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, OutcomeWindow> _outcomes = new(StringComparer.OrdinalIgnoreCase);

    public CircuitBreakerStateProvider CircuitFor(string provider) => _circuits.GetOrAdd(provider, _ => new CircuitBreakerStateProvider());

    public string CircuitState(string provider) =>
        _circuits.TryGetValue(provider, out var circuit) ? circuit.CircuitState.ToString().ToLowerInvariant() : "closed";

    public void Record(string provider, bool failed) => _outcomes.GetOrAdd(provider, _ => new OutcomeWindow()).Add(clock.GetUtcNow(), failed);

    /// <summary>Share of failed vendor attempts in the last five minutes; null when there were none.</summary>
    public (int Calls, double? ErrorRate) Recent(string provider) =>
        _outcomes.TryGetValue(provider, out var window) ? window.Summarize(clock.GetUtcNow() - Window) : (0, null);

    private sealed class OutcomeWindow
    {
        private readonly Lock _gate = new();
        private readonly Queue<(DateTimeOffset At, bool Failed)> _items = new();

        public void Add(DateTimeOffset at, bool failed)
        {
            lock (_gate)
            {
                _items.Enqueue((at, failed));
                // Bounded memory whatever the traffic: the rate is over the latest calls of the window.
                while (_items.Count > 1000) _items.Dequeue();
            }
        }

        public (int, double?) Summarize(DateTimeOffset since)
        {
            lock (_gate)
            {
                while (_items.Count > 0 && _items.Peek().At < since) _items.Dequeue();
                if (_items.Count == 0) return (0, null);
                return (_items.Count, _items.Count(i => i.Failed) / (double)_items.Count);
            }
        }
    }
}
