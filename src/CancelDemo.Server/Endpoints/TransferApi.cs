using System.IO.Pipelines;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Parameters;
using CancelDemo.Server.Work;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CancelDemo.Server.Endpoints;

/// <summary>Seed 003: a large download after a wait, and a slow chunked stream, both cancellable.</summary>
public static class TransferApi
{
    private const int Mebibyte = 1024 * 1024;
    private const int WriteSize = 64 * 1024;
    private static readonly ReadOnlyMemory<byte> Filler = Enumerable.Range(0, WriteSize).Select(i => (byte)('a' + (i % 26))).ToArray();

    public static readonly IntQueryParameter DelayMs = new("delayMs", 0, 60_000, 2000, "Wait before the body starts, in milliseconds.");
    public static readonly IntQueryParameter SizeMb = new("sizeMb", 1, 1024, 100, "Body size in MiB.");
    public static readonly IntQueryParameter ChunkBytes = new("chunkBytes", 1, Mebibyte, 1024, "Bytes per chunk.");
    public static readonly IntQueryParameter IntervalMs = new("intervalMs", 1, 60_000, 100, "Time between chunks, in milliseconds.");
    public static readonly IntQueryParameter DurationMs = new("durationMs", 1, 3_600_000, 3000, "How long the stream lasts, in milliseconds.");

    public static IEndpointRouteBuilder MapTransferApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Transfer");
        group.MapGet("/download", DownloadAsync).WithName("Download").WithQueryParameters(DelayMs, SizeMb)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .WithSummary("Waits delayMs, then sends sizeMb MiB (Content-Length set); stops writing when the client goes away.");
        group.MapGet("/stream", StreamAsync).WithName("Stream").WithQueryParameters(ChunkBytes, IntervalMs, DurationMs)
            .Produces(StatusCodes.Status200OK, contentType: "text/plain")
            .WithSummary("Sends chunkBytes every intervalMs for durationMs; the producer stops when the client goes away.");
        return app;
    }

    public static async Task<Results<EmptyHttpResult, ClientClosedResult>> DownloadAsync(
        QueryValues query, StopSignal stop, HttpContext context, TransferLog log)
    {
        var total = (long)query.Get(SizeMb) * Mebibyte;
        var delay = query.Get(DelayMs);
        log.DownloadStarting(delay, total);
        try
        {
            await Task.Delay(delay, stop.Token);
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = total;
            for (var sent = 0L; sent < total;)
            {
                var count = (int)Math.Min(WriteSize, total - sent);
                await WriteAsync(context, stop, Filler[..count]);
                sent += count;
            }
            return TypedResults.Empty;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            var bytes = stop.Tracked.BytesWritten;
            return Stopped(await stop.StoppedAsync(), context, log, bytes, () => log.DownloadStopped(bytes));
        }
    }

    public static async Task<Results<EmptyHttpResult, ClientClosedResult>> StreamAsync(
        QueryValues query, StopSignal stop, HttpContext context, TransferLog log)
    {
        var interval = query.Get(IntervalMs);
        var chunk = query.Get(ChunkBytes);
        var chunks = Math.Max(1, query.Get(DurationMs) / interval);
        stop.Tracked.PlanIterations(chunks);
        context.Response.ContentType = "text/plain; charset=utf-8";
        var i = 0;
        try
        {
            for (; i < chunks; i++)
            {
                await WriteAsync(context, stop, ChunkText(i, chunk));
                log.ChunkSent(i);
                stop.Tracked.IterationCompleted();
                await Task.Delay(interval, stop.Token);
            }
            return TypedResults.Empty;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            var chunkIndex = i;
            return Stopped(await stop.StoppedAsync(), context, log, stop.Tracked.BytesWritten, () => log.StreamStopped(chunkIndex));
        }
    }

    /// <summary>
    /// Hands bytes to the server and counts them. Once the connection is gone Kestrel turns writes
    /// into no-ops at once, but signals RequestAborted through the thread pool a moment later; a
    /// producer that only writes could race through the rest of its body into that void and call
    /// it complete. The flush result says the output has completed, so that is taken as the client
    /// going away right here.
    /// </summary>
    private static async Task WriteAsync(HttpContext context, StopSignal stop, ReadOnlyMemory<byte> bytes)
    {
        FlushResult flushed;
        try
        {
            flushed = await context.Response.BodyWriter.WriteAsync(bytes, stop.Token);
        }
        catch (IOException)
        {
            flushed = new FlushResult(isCanceled: false, isCompleted: true);
        }
        if (flushed.IsCompleted)
        {
            stop.ClientGone(writeFailed: true);
            stop.Token.ThrowIfCancellationRequested();
        }
        stop.Tracked.AddBytesWritten(bytes.Length);
    }

    private static Results<EmptyHttpResult, ClientClosedResult> Stopped(StopReason reason, HttpContext context, TransferLog log, long bytes, Action logClientGone)
    {
        if (reason == StopReason.ClientAborted)
        {
            logClientGone();
            // Once the body has started the status is on the wire; the ledger still records 499.
            return context.Response.HasStarted ? TypedResults.Empty : new ClientClosedResult(0);
        }
        log.StoppedByServer(reason, bytes);
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
        return TypedResults.Empty;
    }

    /// <summary>A readable chunk: "chunk 7 " padded with dots to the requested size, ending in a newline.</summary>
    private static byte[] ChunkText(int index, int size)
    {
        var text = $"chunk {index} ".PadRight(Math.Max(size - 1, 0), '.');
        var bytes = System.Text.Encoding.ASCII.GetBytes(text[..Math.Max(size - 1, 0)] + "\n");
        return bytes.Length > size ? bytes[..size] : bytes;
    }
}
