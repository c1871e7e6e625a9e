using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace ShopApi;

/// <summary>Reports: work handed to Task.Run, a fire-and-forget warm-up, and a loop of steps (each a span of the app's own).</summary>
public static class Reports
{
    /// <summary>The app's own spans: the audit counts them as operations (AddCancellationAudit names this source).</summary>
    public static readonly ActivitySource Source = new("ShopApi.Reports");

    public static void MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/reports");
        reports.MapGet("/daily", DailyAsync);
        reports.MapGet("/daily/task-run", DailyOnTaskRunAsync);
        reports.MapGet("/warm", WarmAsync);
        reports.MapGet("/warm/fire-and-forget", WarmAndForgetAsync);
        reports.MapGet("/totals", TotalsAsync);
        reports.MapGet("/totals/never-looks", TotalsNeverLookingAsync);
    }

    /// <summary>Right: the work on the thread pool gets the token too.</summary>
    public static async Task<IResult> DailyAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken) =>
        Results.Ok(await Task.Run(() => BuildDailyAsync(scopes, cancellationToken), cancellationToken));

    /// <summary>PLANTED MISTAKE: Task.Run's work was written without a token, so handing it the request's token to Task.Run does not reach it.</summary>
    public static async Task<IResult> DailyOnTaskRunAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken) =>
        Results.Ok(await Task.Run(() => BuildDailyAsync(scopes, CancellationToken.None), cancellationToken));

    /// <summary>Right: the warm-up is awaited with the token.</summary>
    public static async Task<IResult> WarmAsync(PricingClient pricing, CancellationToken cancellationToken)
    {
        await pricing.GetAsync("warm-up", cancellationToken);
        return Results.Ok("warm");
    }

    /// <summary>PLANTED MISTAKE: fire-and-forget. The handler stops at the abort, the call it started runs on.</summary>
    public static async Task<IResult> WarmAndForgetAsync(PricingClient pricing, CancellationToken cancellationToken)
    {
        _ = Task.Run(() => pricing.GetAsync("warm-up", CancellationToken.None), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        return Results.Ok("warm");
    }

    /// <summary>Right: each step looks at the token.</summary>
    public static async Task<IResult> TotalsAsync(CancellationToken cancellationToken)
    {
        for (var step = 0; step < 10; step++)
        {
            using var span = Source.StartActivity("totals step");
            await Task.Delay(300, cancellationToken);
        }
        return Results.Ok("totals");
    }

    /// <summary>PLANTED MISTAKE: a loop that never looks (and a handler that never asked for the token).</summary>
    public static async Task<IResult> TotalsNeverLookingAsync()
    {
        for (var step = 0; step < 10; step++)
        {
            using var span = Source.StartActivity("totals step");
            await Task.Delay(300);
        }
        return Results.Ok("totals");
    }

    private static async Task<int> BuildDailyAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        return await db.Database.SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM shop_orders, pg_sleep(2)""").SingleAsync(cancellationToken);
    }
}
