using System.Reflection;
using CancelDemo.Server.DeadPeer;
using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Http.Metadata;

namespace CancelDemo.Server.Work;

/// <summary>
/// The one token a handler's work watches. It fires when the client goes away (RequestAborted, or a
/// response write that finds the connection gone), when the server-side timeout passes, or when the
/// host shuts down, and it remembers which came first: a timeout or a shutdown is never taken for a
/// client leaving. It records what it sees in the request's ledger entry.
/// A handler gets one by taking a <see cref="StopSignal"/> parameter; that also puts the endpoint in
/// the ledger.
/// </summary>
public sealed class StopSignal : IDisposable, IEndpointParameterMetadataProvider
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private readonly TimeProvider _clock;
    private readonly PeerWatch? _peer;
    private CancellationTokenSource? _timeout;
    private int _reason;
    private long _firedAtTicks;

    internal StopSignal(TrackedRequest tracked, PeerWatch? peer, TimeProvider clock, CancellationToken requestAborted, CancellationToken shuttingDown)
    {
        Tracked = tracked;
        _clock = clock;
        _peer = peer;
        _registrations.Add(requestAborted.Register(static state => ((StopSignal)state!).ClientGone(), this));
        _registrations.Add(shuttingDown.Register(static state => ((StopSignal)state!).Fire(StopReason.Shutdown), this));
    }

    /// <summary>Pass this to every await of the work.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Why the work was told to stop: the first source that fired, or None.</summary>
    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    /// <summary>When the signal fired (UTC), or null: downstream work cancelled by the token was told then.</summary>
    public DateTimeOffset? FiredAt => Interlocked.Read(ref _firedAtTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The request's ledger entry, for the handler to record its progress.</summary>
    public TrackedRequest Tracked { get; }

    public static ValueTask<StopSignal?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<StopSignal?>(context.RequestServices.GetRequiredService<StopSignalFactory>().Create(context));

    /// <summary>
    /// A handler that watches a stop signal is recorded in the ledger, so it can also answer 409 (its X-Request-Id is in
    /// use by a request still running) and 503 (the host is stopping).
    /// </summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(new RecordInLedgerMetadata());
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status409Conflict, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
    }

    /// <summary>Also fire, as a server-side timeout, once <paramref name="timeout"/> has passed.</summary>
    public void TimeoutAfter(TimeSpan timeout)
    {
        _timeout = new CancellationTokenSource(timeout, _clock);
        _registrations.Add(_timeout.Token.Register(static state => ((StopSignal)state!).Fire(StopReason.TimedOut), this));
    }

    /// <summary>
    /// The client is gone: RequestAborted fired, or the response side found the connection gone before
    /// RequestAborted said so (a failed or void write, <paramref name="writeFailed"/>).
    /// </summary>
    public void ClientGone(bool writeFailed = false)
    {
        Tracked.AbortObserved(_clock.GetUtcNow(), _peer?.Verdict(), writeFailed);
        Fire(StopReason.ClientAborted);
    }

    /// <summary>The work has stopped early: records when and why in the ledger, and returns why.</summary>
    public StopReason MarkStopped()
    {
        var reason = Reason;
        Tracked.RecordStop(reason, _clock.GetUtcNow());
        return reason;
    }

    /// <summary>
    /// Records that the work has stopped (<see cref="MarkStopped"/>), then yields: what is left of the request
    /// (the log line, the 499 the client will not read, the ledger's summary) goes to the back of the thread
    /// pool's queue. In a storm, Kestrel queues every aborted request's RequestAborted callback; doing that
    /// bookkeeping inline would make each later abort wait for it before it is even noticed.
    /// </summary>
    public async ValueTask<StopReason> StoppedAsync()
    {
        var reason = MarkStopped();
        await Task.Yield();
        return reason;
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
            Interlocked.Exchange(ref _firedAtTicks, _clock.GetUtcNow().UtcTicks);
            // Runs the work's own registrations now: Npgsql sends its cancel request, HttpClient its RST_STREAM.
            _stop.Cancel();
        }
    }
}

/// <summary>Makes the stop signal of a recorded request; the response disposes it when the request ends.</summary>
public sealed class StopSignalFactory(IHostApplicationLifetime lifetime, TimeProvider clock)
{
    public StopSignal Create(HttpContext context)
    {
        var tracked = context.Features.Get<AuditedRequest>() as TrackedRequest
            ?? throw new InvalidOperationException("Only a request recorded in the ledger has a stop signal; the recording middleware must run first.");
        var stop = new StopSignal(tracked, context.Features.Get<PeerWatch>(), clock, context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(stop);
        return stop;
    }
}
