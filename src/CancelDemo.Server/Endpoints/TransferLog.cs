namespace CancelDemo.Server.Endpoints;

/// <summary>Log lines of /download and /stream. A client abort is normal traffic: Information.</summary>
internal static partial class TransferLog
{
    [LoggerMessage(40, LogLevel.Information, "Download: waiting {DelayMs} ms, then sending {Bytes} bytes")]
    public static partial void DownloadStarting(ILogger logger, int delayMs, long bytes);

    [LoggerMessage(41, LogLevel.Information, "Client has disconnected. Stopping download after {Bytes} bytes.")]
    public static partial void DownloadStopped(ILogger logger, long bytes);

    [LoggerMessage(42, LogLevel.Information, "Sent chunk {Chunk}")]
    public static partial void ChunkSent(ILogger logger, int chunk);

    [LoggerMessage(43, LogLevel.Information, "Client has disconnected. Stopping stream. {Chunk}")]
    public static partial void StreamStopped(ILogger logger, int chunk);

    [LoggerMessage(44, LogLevel.Information, "Stopped sending on {Reason} after {Bytes} bytes.")]
    public static partial void StoppedByServer(ILogger logger, Ledger.StopReason reason, long bytes);
}
