using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Hosting;

/// <summary>
/// Loads the listeners from configuration section "Kestrel" (so --Kestrel:Endpoints:Http1:Url=...
/// works as usual), records where each is, and gives HTTPS the generated localhost certificate
/// unless a certificate is configured.
/// </summary>
public sealed class KestrelSetup(IConfiguration configuration, Listeners listeners, LocalhostCertificate certificate, IOptions<DeadPeerOptions> deadPeer)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        var section = configuration.GetSection("Kestrel");
        var loader = options.Configure(section, reloadOnChange: false);
        foreach (var name in Listeners.Names)
        {
            loader.Endpoint(name, endpoint =>
            {
                listeners.Record(name, new Uri(endpoint.ConfigSection["Url"]!), endpoint.ListenOptions);
                endpoint.ListenOptions.Use(PeerWatch.Middleware);
            });
        }
        if (deadPeer.Value.Enabled)
        {
            // HTTP/2's own liveness check: a PING after silence, the connection dropped if it goes unanswered.
            options.Limits.Http2.KeepAlivePingDelay = deadPeer.Value.Http2PingDelay;
            options.Limits.Http2.KeepAlivePingTimeout = deadPeer.Value.Http2PingTimeout;
        }
        if (!section.GetSection("Certificates:Default").Exists() && !section.GetSection($"Endpoints:{Listeners.Https}:Certificate").Exists())
        {
            options.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate.Certificate);
        }
    }

}

public static class KestrelServices
{
    /// <summary>The named listeners, the generated certificate and dead-peer detection.</summary>
    public static WebApplicationBuilder AddCancelDemoKestrel(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton<Listeners>();
        services.AddSingleton<LocalhostCertificate>();
        services.AddOptions<TlsOptions>().Bind(configuration.GetSection(TlsOptions.Section));
        services.AddOptions<DeadPeerOptions>().Bind(configuration.GetSection(DeadPeerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeadPeerOptions>, ValidateDeadPeerOptions>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelSetup>();
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>, DeadPeerSockets>();
        return builder;
    }
}
