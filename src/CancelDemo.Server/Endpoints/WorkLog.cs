namespace CancelDemo.Server.Endpoints;

/// <summary>The seed's log lines. A client abort is normal traffic, so it is Information.</summary>
internal static partial class WorkLog
{
    [LoggerMessage(1, LogLevel.Information, "Working... {Iteration}")]
    public static partial void Working(ILogger logger, int iteration);

    [LoggerMessage(2, LogLevel.Information, "Client has disconnected. Stopping task. {Iteration}")]
    public static partial void ClientDisconnected(ILogger logger, int iteration);

    [LoggerMessage(3, LogLevel.Information, "Server-side timeout reached. Stopping task. {Iteration}")]
    public static partial void TimedOut(ILogger logger, int iteration);

    [LoggerMessage(4, LogLevel.Information, "Server is shutting down. Stopping task. {Iteration}")]
    public static partial void ShuttingDown(ILogger logger, int iteration);
}
