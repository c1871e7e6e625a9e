using CancelDemo.Server.Ledger;

namespace CancelDemo.Server.Endpoints;

/// <summary>Log lines of /download and /stream, in the TransferApi category. A client abort is normal traffic: Information.</summary>
public sealed partial class TransferLog(ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger(typeof(TransferApi).FullName!);

    [LoggerMessage(40, LogLevel.Information, "Download: waiting {DelayMs} ms, then sending {Bytes} bytes")]
    public partial void DownloadStarting(int delayMs, long bytes);

    [LoggerMessage(41, LogLevel.Information, "Client has disconnected. Stopping download after {Bytes} bytes.")]
    public partial void DownloadStopped(long bytes);

    [LoggerMessage(42, LogLevel.Information, "Sent chunk {Chunk}")]
    public partial void ChunkSent(int chunk);

    [LoggerMessage(43, LogLevel.Information, "Client has disconnected. Stopping stream. {Chunk}")]
    public partial void StreamStopped(int chunk);

    [LoggerMessage(44, LogLevel.Information, "Stopped sending on {Reason} after {Bytes} bytes.")]
    public partial void StoppedByServer(StopReason reason, long bytes);
}
