using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
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
        services.AddHostedService<PeerWatchdog>();
        services.AddSingleton<IConfigureOptions<SocketTransportOptions>, DeadPeerSockets>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, DeadPeerKestrel>();
        return services;
    }

    /// <summary>HTTP/2's own liveness check, and a peer watch on every connection of every listener.</summary>
    private sealed class DeadPeerKestrel(IOptions<DeadPeerOptions> options, PeerWatches watches) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            var pauseAt = kestrel.Limits.MaxRequestBufferSize ?? 0;
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection => WatchAsync(connection, next, pauseAt)));
            if (options.Value.Enabled)
            {
                // A PING after silence, the connection dropped if it goes unanswered.
                kestrel.Limits.Http2.KeepAlivePingDelay = options.Value.Http2PingDelay;
                kestrel.Limits.Http2.KeepAlivePingTimeout = options.Value.Http2PingTimeout;
            }
        }

        /// <summary>
        /// Connection middleware, first on every listener (below TLS): a watch on the connection for its whole life
        /// (the watchdog looks at it when detection is on), and the transport's input read through an
        /// <see cref="InputPump"/>, which tells the watch how the peer ended the connection.
        /// </summary>
        private async Task WatchAsync(ConnectionContext connection, ConnectionDelegate next, long pauseAt)
        {
            using var watch = PeerWatch.TryAttach(connection);
            if (watch is not null)
            {
                watches.Add(watch);
            }
            var transport = connection.Transport;
            var pump = InputPump.Start(transport.Input, connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool, pauseAt, watch);
            connection.Transport = new DuplexPipe(pump.Input, transport.Output);
            try
            {
                await next(connection);
            }
            finally
            {
                await pump.StopAsync();
                connection.Transport = transport;
                if (watch is not null)
                {
                    watches.Remove(watch);
                }
            }
        }
    }

    private sealed class DuplexPipe(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.PipeWriter output) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input { get; } = input;

        public System.IO.Pipelines.PipeWriter Output { get; } = output;
    }
}
