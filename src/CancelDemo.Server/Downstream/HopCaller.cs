using CancelDemo.Server.Ledger;
using CancelDemo.Server.Work;

namespace CancelDemo.Server.Downstream;

/// <summary>The answer of the next hop, passed back as it came.</summary>
public sealed record HopResponse(int StatusCode, string? ContentType, byte[] Body);

/// <summary>
/// Calls the next hop with the request's stop token, so the client's abort travels on: over HTTP/1.1 the
/// call's connection is closed, over HTTP/2 its stream is reset. The hop is called with its own request id
/// (this one's plus ".1") and this one as its parent; HttpClient forwards the W3C traceparent of the request.
/// Every step is recorded in this request's ledger entry.
/// </summary>
public sealed partial class HopCaller(NextHop next, DownstreamClients clients, TimeProvider clock, ILogger<HopCaller> logger)
{
    /// <param name="protocol">How to call the next hop.</param>
    /// <param name="pathAndQuery">What to ask it, relative to its base address.</param>
    /// <param name="stop">This request's stop signal: its firing cancels the call (ending "cancelled").</param>
    /// <param name="callToken">The stop token joined with the caller's own deadline for this call (callTimeoutMs), if it has one (ending "timedOut").</param>
    public async Task<HopResponse> CallAsync(HopProtocol protocol, string pathAndQuery, StopSignal stop, CancellationToken? callToken = null)
    {
        var token = callToken ?? stop.Token;
        var tracked = stop.Tracked;
        var url = new Uri(await next.UrlAsync(protocol, stop.Token), pathAndQuery);
        var childId = ChildId(tracked.Id);
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = protocol.Version(), VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Add(RequestIds.Header, childId);
        request.Headers.Add(RequestIds.ParentHeader, tracked.Id);
        tracked.RecordDownstream(_ => new DownstreamCall(childId, url.ToString(), protocol == HopProtocol.Http1 ? "HTTP/1.1" : "HTTP/2", clock.GetUtcNow()));
        LogCalling(logger, url, childId);
        try
        {
            using var response = await clients.For(protocol).SendAsync(request, token);
            var body = await response.Content.ReadAsByteArrayAsync(token);
            tracked.RecordDownstream(c => c! with { EndedAt = clock.GetUtcNow(), StatusCode = (int)response.StatusCode, Ending = "completed" });
            return new HopResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            tracked.RecordDownstream(c => c! with { CancelledAt = stop.FiredAt, EndedAt = clock.GetUtcNow(), Ending = "cancelled" });
            LogCancelled(logger, childId);
            throw;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            tracked.RecordDownstream(c => c! with { CancelledAt = now, EndedAt = now, Ending = "timedOut" });
            LogGaveUp(logger, childId);
            throw;
        }
        catch (HttpRequestException)
        {
            tracked.RecordDownstream(c => c! with { EndedAt = clock.GetUtcNow(), Ending = "failed" });
            throw;
        }
    }

    /// <summary>The next hop's id: this one's plus ".1" (so a chain reads X, X.1, X.1.1), or a fresh one if that is too long.</summary>
    public static string ChildId(string id) => id.Length + 2 <= RequestIds.MaxLength ? id + ".1" : $"hop-{Guid.NewGuid():N}";

    [LoggerMessage(80, LogLevel.Information, "Calling the next hop {Url} as {RequestId}")]
    private static partial void LogCalling(ILogger logger, Uri url, string requestId);

    [LoggerMessage(81, LogLevel.Information, "Client has disconnected. Cancelled the call to the next hop {RequestId}.")]
    private static partial void LogCancelled(ILogger logger, string requestId);

    [LoggerMessage(82, LogLevel.Information, "The next hop {RequestId} was too slow (callTimeoutMs). Cancelled the call.")]
    private static partial void LogGaveUp(ILogger logger, string requestId);
}
