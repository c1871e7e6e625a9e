namespace CancelDemo.Server.Endpoints;

public static class EndpointServices
{
    /// <summary>What the endpoint groups need besides the work: their log lines.</summary>
    public static IServiceCollection AddEndpointLogs(this IServiceCollection services) =>
        services.AddSingleton<WorkLog>().AddSingleton<TransferLog>();
}
