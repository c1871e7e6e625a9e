using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

public static class DeadPeerServices
{
    /// <summary>
    /// Detection of clients that vanish without FIN or RST (configuration section "DeadPeer", checked at
    /// start-up): TCP keepalive on every connection, HTTP/2 pings, and the watchdog over every connection.
    /// </summary>
    public static IServiceCollection AddDeadPeerDetection(this IServiceCollection services)
    {
        services.AddOptions<DeadPeerOptions>().BindConfiguration(DeadPeerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeadPeerOptions>, ValidateDeadPeerOptions>();
        services.AddSingleton<PeerWatches>();
        services.AddSingleton<PeerWatchdog>();
        services.AddSingleton<ILoggerProvider, TransportSignals>();
        services.AddSingleton<IConfigureOptions<SocketTransportOptions>, DeadPeerSockets>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, DeadPeerKestrel>();
        return services;
    }

    /// <summary>HTTP/2's own liveness check, and a peer watch on every connection of every listener.</summary>
    private sealed class DeadPeerKestrel(IOptions<DeadPeerOptions> options, PeerWatches watches, PeerWatchdog watchdog) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(WatchEveryConnection));
            watchdog.Start();
            if (options.Value.Enabled)
            {
                // A PING after silence, the connection dropped if it goes unanswered.
                kestrel.Limits.Http2.KeepAlivePingDelay = options.Value.Http2PingDelay;
                kestrel.Limits.Http2.KeepAlivePingTimeout = options.Value.Http2PingTimeout;
            }
        }

        /// <summary>
        /// Connection middleware: a watch on the connection for its whole life (the watchdog, started with the
        /// first connection, looks at it only when detection is on), and a connection the kernel gave up on
        /// reported to Kestrel as a reset.
        /// </summary>
        private ConnectionDelegate WatchEveryConnection(ConnectionDelegate next) => async connection =>
        {
            using var watch = PeerWatch.TryAttach(connection);
            if (watch is not null)
            {
                watches.Add(watch);
            }
            var transport = connection.Transport;
            connection.Transport = new DuplexPipe(new DeadPeerReader(transport.Input), transport.Output);
            try
            {
                await next(connection);
            }
            finally
            {
                connection.Transport = transport;
                if (watch is not null)
                {
                    watches.Remove(watch);
                }
            }
        };
    }

    private sealed class DuplexPipe(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.PipeWriter output) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input { get; } = input;

        public System.IO.Pipelines.PipeWriter Output { get; } = output;
    }
}
