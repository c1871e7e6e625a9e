using System.Diagnostics;
using System.Globalization;
using CancelDemo.AspNetCore.Transport;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CancelDemo.AspNetCore;

/// <summary>
/// Records each request the options choose (after routing, so the endpoint is known): its start, its abort (from
/// RequestAborted, with how the server was told), its operations (the tracker adds them), the end of the handler and
/// the outcome. Once the request and every operation it started have ended, an aborted request whose work ran on is
/// one Information line naming each operation, its metrics are counted and its activity is tagged.
/// </summary>
internal sealed class CancellationAuditMiddleware(
    RequestDelegate next,
    CancellationLedger ledger,
    IOptions<CancellationAuditOptions> options,
    IHostApplicationLifetime lifetime,
    AuditMetrics metrics,
    ILogger<CancellationAuditMiddleware> logger)
{
    private static readonly TimeSpan PendingSignalBound = TimeSpan.FromSeconds(1);
    private readonly CancellationAuditOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!(_options.ShouldRecord ?? RecordsByDefault)(context))
        {
            await next(context);
            return;
        }
        var (id, parentId) = RequestIds.Of(context);
        var connection = context.Connection;
        var activity = Activity.Current;
        var start = new RequestStart(id, parentId, context.Request.Method, context.Request.Path.Value ?? "/",
            (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText, context.Request.Protocol, connection.Id,
            connection.RemoteIpAddress is null ? null : $"{connection.RemoteIpAddress}:{connection.RemotePort}",
            ledger.Clock.GetUtcNow(), activity?.TraceId.ToHexString());
        var request = _options.CreateRequest?.Invoke(start, ledger) ?? new AuditedRequest(start.ToEntry(), ledger);
        if (!ledger.TryAdd(request))
        {
            await RejectDuplicateAsync(context, id);
            return;
        }
        context.Features.Set(request);
        activity?.SetCustomProperty(AuditedRequest.ActivityProperty, request);
        request.Watch(context.Features.Get<ConnectionSignal>(), HttpProtocol.IsHttp2(context.Request.Protocol) || HttpProtocol.IsHttp3(context.Request.Protocol),
            context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken ?? default, lifetime.ApplicationStopping);
        var threw = false;
        var aborted = context.RequestAborted.UnsafeRegister(static state => ((AuditedRequest)state!).ClientGone(), request);
        try
        {
            await next(context);
        }
        catch
        {
            threw = true;
            throw;
        }
        finally
        {
            // A client leaving after this is no abort of the work: the response was done.
            aborted.Dispose();
            if (request.AbortSignalPending && context.Features.Get<ConnectionSignal>() is { } signal)
            {
                // Rare: RequestAborted (from the transport's closed event) came before the transport's reader saw why.
                request.AbortSignalLearned(await signal.ClosedAsync(PendingSignalBound));
            }
            var snapshot = request.Snapshot;
            var stop = request.Stop.Reason is not StopReason.None ? request.Stop.Reason
                : snapshot.AbortSignal == AbortSignals.Timeout ? StopReason.TimedOut
                : snapshot.AbortSignal == AbortSignals.Shutdown ? StopReason.Shutdown
                : StopReason.None;
            var (outcome, status) = OutcomeRules.Decide(context.Response.StatusCode, stop, snapshot.AbortObservedAt is not null, threw);
            _options.OnEnding?.Invoke(context, request, outcome, status);
            var ended = ledger.Clock.GetUtcNow();
            if (snapshot.AbortObservedAt is { } abortedAt && activity is { IsAllDataRequested: true })
            {
                // Added now, at the abort's own time: only now is a FIN or RST that was on its way known.
                activity.AddEvent(new ActivityEvent(CancellationAuditTelemetry.ClientAbortedEvent, abortedAt,
                    new ActivityTagsCollection { [CancellationAuditTelemetry.AbortSignalTag] = snapshot.AbortSignal ?? "unknown" }));
                activity.SetTag(CancellationAuditTelemetry.WorkAfterAbortTag, Math.Round((ended - abortedAt).TotalMilliseconds, 3));
            }
            request.End(outcome, status, ended, Settled);
        }
    }

    /// <summary>Every request that matched an endpoint, except the ledger's own endpoints.</summary>
    private static bool RecordsByDefault(HttpContext context) =>
        context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<CancellationAuditEndpointMetadata>() is null;

    /// <summary>The request and every operation it started have ended: say what outlived the client, if anything did.</summary>
    private void Settled(AuditedRequest request)
    {
        var entry = request.Snapshot;
        if (entry.AbortObservedAt is null)
        {
            return;
        }
        metrics.Settled(entry);
        var threshold = _options.RanOnThreshold.TotalMilliseconds;
        var ranOn = (entry.Operations ?? []).Where(o => o.RanOn).ToList();
        var handlerMs = (entry.WorkAfterAbortMs ?? 0).ToString("0.0", CultureInfo.InvariantCulture);
        var route = entry.Route ?? entry.Path;
        var signal = entry.AbortSignal ?? "unknown";
        if (ranOn.Count > 0 || entry.WorkAfterAbortMs > threshold)
        {
            var operations = ranOn.Count == 0 ? "no operation ran on"
                : string.Join("; ", ranOn.Select(o => $"{o.Source} \"{o.Name}\" ran {(o.EndedAfterAbortMs ?? 0).ToString("0", CultureInfo.InvariantCulture)} ms after the abort ({o.Ending})"));
            AuditLog.RanOn(logger, entry.Method, LogText(route), LogText(entry.Id), signal, handlerMs, LogText(operations));
        }
        else
        {
            AuditLog.Stopped(logger, entry.Method, LogText(route), LogText(entry.Id), signal, handlerMs);
        }
    }

    /// <summary>Client-chosen text (the path, an operation's name) cannot start a line of its own in a log.</summary>
    private static string LogText(string text) =>
        text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085')
            ? string.Concat(text.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085' ? $"\\u{(int)c:x4}" : c.ToString()))
            : text;

    private static async Task RejectDuplicateAsync(HttpContext context, string id)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Request id in use",
            Detail = $"A request with {RequestIds.Header} '{id}' is still running. An id names one request at a time: " +
                     "send another id, or none and the server makes one.",
        };
        context.Response.StatusCode = StatusCodes.Status409Conflict;
        if (context.RequestServices.GetService<IProblemDetailsService>() is { } problems
            && await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            return;
        }
        await context.Response.WriteAsJsonAsync(problem, AuditJson.Options, "application/problem+json");
    }
}
