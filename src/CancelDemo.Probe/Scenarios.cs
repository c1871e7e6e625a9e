using System.Diagnostics;

namespace CancelDemo.Probe;

/// <summary>
/// The ways a .NET client gives up on a request (seed 003, for HttpClient): a CancellationToken,
/// HttpClient.Timeout, disposing a response mid-body, CancelPendingRequests.
/// </summary>
public static class Scenarios
{
    private const string Loop = "/http1?iterations=10&stepMs=1000";
    private static readonly TimeSpan LoopStep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StreamInterval = TimeSpan.FromMilliseconds(100);
    // Reads at about 6 MB/s so a 100 MB body is still flowing when the client gives up.
    private static readonly TimeSpan SlowReadPause = TimeSpan.FromMilliseconds(10);

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("token", "CancellationToken cancelled during the /http1 loop", Loop, TimeSpan.FromSeconds(2), WorkUnit.Iterations, LoopStep, ByTokenAsync),
        new("timeout", "HttpClient.Timeout elapses during the /http1 loop", Loop, TimeSpan.FromSeconds(2), WorkUnit.Iterations, LoopStep, ByTimeoutAsync),
        new("cancel-pending", "HttpClient.CancelPendingRequests during the /http1 loop", Loop, TimeSpan.FromSeconds(2), WorkUnit.Iterations, LoopStep, ByCancelPendingAsync),
        new("dispose-body", "Response read with ResponseHeadersRead, disposed mid-body (/stream)", "/stream?durationMs=30000", TimeSpan.FromSeconds(1), WorkUnit.Chunks, StreamInterval, ByDisposingBodyAsync),
        new("download-wait", "100 MB /download cancelled during the server's 2 s wait", "/download?delayMs=2000&sizeMb=100", TimeSpan.FromSeconds(1), WorkUnit.Bytes, TimeSpan.Zero, ByTokenWhileReadingAsync),
        new("download-body", "100 MB /download read slowly, cancelled mid-body", "/download?delayMs=0&sizeMb=100", TimeSpan.FromSeconds(1), WorkUnit.Bytes, TimeSpan.Zero, ByTokenWhileReadingSlowlyAsync),
        new("stream", "Chunked /stream (1 KB every 100 ms for 3 s) cancelled after 1 s", "/stream", TimeSpan.FromSeconds(1), WorkUnit.Chunks, StreamInterval, ByTokenWhileReadingAsync),
    ];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private static async Task<ClientSide> ByTokenAsync(HttpClient client, HttpRequestMessage request, TimeSpan cancelAfter, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sentAt = DateTimeOffset.UtcNow;
        var call = client.SendAsync(request, cts.Token);
        await Task.Delay(cancelAfter, cancellationToken);
        var cancelledAt = DateTimeOffset.UtcNow;
        await cts.CancelAsync();
        return new ClientSide(sentAt, cancelledAt, 0, await EndingOf(call));
    }

    private static async Task<ClientSide> ByTimeoutAsync(HttpClient client, HttpRequestMessage request, TimeSpan cancelAfter, CancellationToken cancellationToken)
    {
        client.Timeout = cancelAfter;
        var sentAt = DateTimeOffset.UtcNow;
        var error = await EndingOf(client.SendAsync(request, cancellationToken));
        return new ClientSide(sentAt, sentAt + cancelAfter, 0, error);
    }

    private static async Task<ClientSide> ByCancelPendingAsync(HttpClient client, HttpRequestMessage request, TimeSpan cancelAfter, CancellationToken cancellationToken)
    {
        var sentAt = DateTimeOffset.UtcNow;
        var call = client.SendAsync(request, cancellationToken);
        await Task.Delay(cancelAfter, cancellationToken);
        var cancelledAt = DateTimeOffset.UtcNow;
        client.CancelPendingRequests();
        return new ClientSide(sentAt, cancelledAt, 0, await EndingOf(call));
    }

    private static async Task<ClientSide> ByDisposingBodyAsync(HttpClient client, HttpRequestMessage request, TimeSpan cancelAfter, CancellationToken cancellationToken)
    {
        var sentAt = DateTimeOffset.UtcNow;
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var received = await ReadUntilAsync(body, sentAt + cancelAfter, cancellationToken);
        var cancelledAt = DateTimeOffset.UtcNow;
        response.Dispose(); // no token: giving up is dropping the response
        return new ClientSide(sentAt, cancelledAt, received, "none (response disposed)");
    }

    private static Task<ClientSide> ByTokenWhileReadingAsync(HttpClient client, HttpRequestMessage request, TimeSpan cancelAfter, CancellationToken cancellationToken) =>
        ReadThenCancelAsync(client, request, cancelAfter, TimeSpan.Zero, cancellationToken);

    private static Task<ClientSide> ByTokenWhileReadingSlowlyAsync(HttpClient client, HttpRequestMessage request, TimeSpan cancelAfter, CancellationToken cancellationToken) =>
        ReadThenCancelAsync(client, request, cancelAfter, SlowReadPause, cancellationToken);

    /// <summary>Reads the body (headers may not even have come yet) until the token fires at cancelAfter.</summary>
    private static async Task<ClientSide> ReadThenCancelAsync(HttpClient client, HttpRequestMessage request, TimeSpan cancelAfter, TimeSpan pause, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var cancelledAt = DateTimeOffset.MaxValue;
        using var whenCancelled = cts.Token.Register(() => cancelledAt = DateTimeOffset.UtcNow);
        var sentAt = DateTimeOffset.UtcNow;
        cts.CancelAfter(cancelAfter);
        long received = 0;
        var error = "none";
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cts.Token)) > 0)
            {
                received += read;
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, cts.Token);
                }
            }
        }
        catch (Exception e) when ((e is OperationCanceledException or HttpRequestException or IOException) && !ProbeErrors.IsUnreachable(e))
        {
            error = e.GetType().Name;
        }
        return new ClientSide(sentAt, cancelledAt == DateTimeOffset.MaxValue ? DateTimeOffset.UtcNow : cancelledAt, received, error);
    }

    private static async Task<long> ReadUntilAsync(Stream body, DateTimeOffset until, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(Max(until - DateTimeOffset.UtcNow, TimeSpan.Zero));
        long received = 0;
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cts.Token)) > 0)
            {
                received += read;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return received;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>How the client's call ended: the exception type it threw, which is the client's view of the cancel.</summary>
    private static async Task<string> EndingOf(Task<HttpResponseMessage> call)
    {
        try
        {
            using var response = await call;
            return $"completed {(int)response.StatusCode}";
        }
        catch (Exception e) when ((e is OperationCanceledException or HttpRequestException) && !ProbeErrors.IsUnreachable(e))
        {
            Debug.Assert(call.IsCompleted);
            return e.GetType().Name;
        }
    }
}
