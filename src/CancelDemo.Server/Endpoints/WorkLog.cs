namespace CancelDemo.Server.Endpoints;

/// <summary>The seed's log lines, in the WorkApi category. A client abort is normal traffic, so it is Information.</summary>
public sealed partial class WorkLog(ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger(typeof(WorkApi).FullName!);

    [LoggerMessage(1, LogLevel.Information, "Working... {Iteration}")]
    public partial void Working(int iteration);

    [LoggerMessage(2, LogLevel.Information, "Client has disconnected. Stopping task. {Iteration}")]
    public partial void ClientDisconnected(int iteration);

    [LoggerMessage(3, LogLevel.Information, "Server-side timeout reached. Stopping task. {Iteration}")]
    public partial void TimedOut(int iteration);

    [LoggerMessage(4, LogLevel.Information, "Server is shutting down. Stopping task. {Iteration}")]
    public partial void ShuttingDown(int iteration);

    [LoggerMessage(5, LogLevel.Information, "{Reason}. Stopping query.")]
    public partial void QueryStopped(string reason);

    // The database failing is the server's problem, not the client's: an error.
    [LoggerMessage(6, LogLevel.Error, "The database failed: {Message}")]
    public partial void DatabaseFailed(Exception exception, string message);
}
