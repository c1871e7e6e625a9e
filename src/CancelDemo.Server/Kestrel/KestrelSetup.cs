using CancelDemo.Server.Web;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Kestrel;

/// <summary>
/// Loads the listeners from configuration section "Kestrel" (so --Kestrel:Endpoints:Http1:Url=...
/// works as usual), records where each is, and gives HTTPS the generated localhost certificate
/// unless a certificate is configured.
/// </summary>
public sealed class KestrelSetup(IConfiguration configuration, Listeners listeners, LocalhostCertificate certificate)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        var section = configuration.GetSection("Kestrel");
        var loader = options.Configure(section, reloadOnChange: false);
        foreach (var name in Listeners.Names)
        {
            loader.Endpoint(name, endpoint => listeners.Record(name, ListenerUrls.Parse(endpoint.ConfigSection["Url"])!, endpoint.ListenOptions));
        }
        if (!section.GetSection("Certificates:Default").Exists() && !section.GetSection($"Endpoints:{Listeners.Https}:Certificate").Exists())
        {
            options.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate.Certificate);
        }
    }
}

public static class KestrelServices
{
    /// <summary>The named listeners, the generated certificate and the socket transport's settings.</summary>
    public static WebApplicationBuilder AddCancelDemoKestrel(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<Listeners>();
        services.AddSingleton<LocalhostCertificate>();
        services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.Section);
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelSetup>();
        services.AddOptions<TransportOptions>().BindConfiguration(TransportOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TransportOptions>, ValidateTransportOptions>();
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>, TransportSetup>();
        return builder;
    }
}
