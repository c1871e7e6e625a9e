using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Downstream;

public static class DownstreamServices
{
    /// <summary>The next hop of /chain (configuration section "Downstream", checked at start-up) and the clients that call it.</summary>
    public static IServiceCollection AddDownstream(this IServiceCollection services)
    {
        services.AddOptions<DownstreamOptions>().BindConfiguration(DownstreamOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DownstreamOptions>, ValidateDownstreamOptions>();
        services.AddSingleton<DownstreamClients>();
        services.AddSingleton<NextHop>();
        services.AddSingleton<HopCaller>();
        services.AddSingleton<ChainReader>();
        return services;
    }
}
