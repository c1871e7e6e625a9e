using CancelDemo.Server.Hosting;
using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Http.Timeouts;

namespace CancelDemo.Server.Work;

/// <summary>
/// One token for the work that fires on the client going away, the server-side timeout or the
/// host shutting down, and remembers which came first. A timeout is not a disconnect: when the
/// request-timeouts middleware is in use it folds its timeout into RequestAborted, so the
/// <see cref="IHttpRequestTimeoutFeature"/> is asked before calling an abort a client's.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource? _timeout;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private readonly TrackedRequest _tracked;
    private readonly TimeProvider _clock;
    private readonly PeerWatch? _peer;
    private int _reason;

    public StopSignal(HttpContext context, TimeSpan? timeout, TrackedRequest tracked, TimeProvider clock, CancellationToken shuttingDown)
    {
        _tracked = tracked;
        _clock = clock;
        var timeoutFeature = context.Features.Get<IHttpRequestTimeoutFeature>();
        _peer = context.Features.Get<PeerWatch>();
        _registrations.Add(context.RequestAborted.Register(() =>
        {
            if (timeoutFeature?.RequestTimeoutToken.IsCancellationRequested == true)
            {
                Fire(StopReason.TimedOut);
                return;
            }
            tracked.AbortObserved(clock.GetUtcNow(), _peer?.PeerSilentMs());
            Fire(StopReason.ClientAborted);
        }));
        if (timeout is { } t)
        {
            _timeout = new CancellationTokenSource(t, clock);
            _registrations.Add(_timeout.Token.Register(() => Fire(StopReason.TimedOut)));
        }
        _registrations.Add(shuttingDown.Register(() => Fire(StopReason.Shutdown)));
    }

    public CancellationToken Token => _stop.Token;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    /// <summary>
    /// The response side found the client gone before RequestAborted said so (a failed or void
    /// write): the same stop as an abort, recorded as observed now.
    /// </summary>
    public void ClientGone(bool writeFailed)
    {
        if (writeFailed)
        {
            _tracked.WriteFailed();
        }
        _tracked.AbortObserved(_clock.GetUtcNow(), _peer?.PeerSilentMs());
        Fire(StopReason.ClientAborted);
    }

    /// <summary>Records in the ledger that the work has now stopped, and why.</summary>
    public StopReason MarkStopped()
    {
        _tracked.Stopped(_clock.GetUtcNow(), Reason);
        return Reason;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _timeout?.Dispose();
        _stop.Dispose();
    }

    private void Fire(StopReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)StopReason.None) == (int)StopReason.None)
        {
            _stop.Cancel();
        }
    }
}

/// <summary>Makes the stop signal of a recorded request.</summary>
public sealed class StopSignals(IHostApplicationLifetime lifetime, TimeProvider clock)
{
    public StopSignal For(HttpContext context, TimeSpan? timeout = null) =>
        new(context, timeout, context.GetTrackedRequest(), clock, lifetime.ApplicationStopping);
}
