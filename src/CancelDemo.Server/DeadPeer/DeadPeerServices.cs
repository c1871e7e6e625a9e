using CancelDemo.AspNetCore.Transport;
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
        services.AddHostedService<PeerWatchdog>();
        services.AddSingleton<IConfigureOptions<SocketTransportOptions>, DeadPeerSockets>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, DeadPeerKestrel>();
        // Kestrel keeps one set of endpoint defaults: the watch's puts the audit's transport signals in them itself.
        services.Configure<CancellationAuditOptions>(audit => audit.ReadTransportSignals = false);
        return services;
    }

    /// <summary>HTTP/2's own liveness check, and a peer watch on every connection of every listener.</summary>
    private sealed class DeadPeerKestrel(IOptions<DeadPeerOptions> options, PeerWatches watches) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.UseTransportSignals().Use(next => connection => WatchAsync(connection, next)));
            if (options.Value.Enabled)
            {
                // A PING after silence, the connection dropped if it goes unanswered.
                kestrel.Limits.Http2.KeepAlivePingDelay = options.Value.Http2PingDelay;
                kestrel.Limits.Http2.KeepAlivePingTimeout = options.Value.Http2PingTimeout;
            }
        }

        /// <summary>
        /// Connection middleware, first on every listener (below TLS): a watch on the connection for its whole life (the
        /// watchdog looks at it when detection is on). How the peer closed it the audit package's transport pump says.
        /// </summary>
        private async Task WatchAsync(ConnectionContext connection, ConnectionDelegate next)
        {
            using var watch = PeerWatch.TryAttach(connection);
            if (watch is not null)
            {
                watches.Add(watch);
            }
            try
            {
                await next(connection);
            }
            finally
            {
                if (watch is not null)
                {
                    watches.Remove(watch);
                }
            }
        }
    }
}
