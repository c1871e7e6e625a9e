namespace CancelDemo.Server.Work;

public static class WorkServices
{
    /// <summary>The costly operation and the stop signals its loops watch.</summary>
    public static IServiceCollection AddCostlyWork(this IServiceCollection services) =>
        services.AddSingleton<CostlyOperation>().AddSingleton<StopSignalFactory>();
}
