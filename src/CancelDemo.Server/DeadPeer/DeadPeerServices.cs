using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

public static class DeadPeerServices
{
    /// <summary>
    /// Detection of clients that vanish without FIN or RST (configuration section "DeadPeer", checked at
    /// start-up): TCP keepalive on every connection, HTTP/2 pings, and a watch on every connection.
    /// </summary>
    public static IServiceCollection AddDeadPeerDetection(this IServiceCollection services)
    {
        services.AddOptions<DeadPeerOptions>().BindConfiguration(DeadPeerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeadPeerOptions>, ValidateDeadPeerOptions>();
        services.AddSingleton<IConfigureOptions<SocketTransportOptions>, DeadPeerSockets>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, DeadPeerKestrel>();
        return services;
    }

    /// <summary>HTTP/2's own liveness check, and the peer watch on every listener's connections.</summary>
    private sealed class DeadPeerKestrel(IOptions<DeadPeerOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(PeerWatch.Middleware));
            if (options.Value.Enabled)
            {
                // A PING after silence, the connection dropped if it goes unanswered.
                kestrel.Limits.Http2.KeepAlivePingDelay = options.Value.Http2PingDelay;
                kestrel.Limits.Http2.KeepAlivePingTimeout = options.Value.Http2PingTimeout;
            }
        }
    }
}
