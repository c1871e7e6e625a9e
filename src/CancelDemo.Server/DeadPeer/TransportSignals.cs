namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// How each connection's peer closed it, as Kestrel's socket transport saw it: "received FIN" or "reset". The
/// transport says so only in two Debug events of its own, logged before it aborts the connection's requests,
/// so this provider listens for exactly those two (category Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets)
/// and tells the connection's watch. TCP_INFO cannot tell the two apart later: once the server has closed its
/// side too, a finished FIN exchange and a reset both leave the socket CLOSED.
/// </summary>
public sealed class TransportSignals(PeerWatches watches) : ILoggerProvider
{
    private const string Category = "Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets";

    public ILogger CreateLogger(string categoryName) =>
        categoryName == Category ? new Listener(watches) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Listener(PeerWatches watches) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var signal = eventId.Name switch
            {
                "ConnectionReadFin" => "FIN",
                "ConnectionReset" => "RST",
                _ => null,
            };
            if (signal is not null && state is IReadOnlyList<KeyValuePair<string, object?>> values
                && values.FirstOrDefault(v => v.Key == "ConnectionId").Value is string connectionId)
            {
                watches.Find(connectionId)?.PeerClosed(signal);
            }
        }
    }
}
