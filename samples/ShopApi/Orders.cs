using Microsoft.EntityFrameworkCore;

namespace ShopApi;

/// <summary>
/// Orders. The order lookup stands in for a slow query (two seconds of pg_sleep); the export streams its rows as
/// PostgreSQL produces them (2,000 rows over about two seconds).
/// </summary>
public static class Orders
{
    public static void MapOrders(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/orders");
        orders.MapGet("/{id:int}", GetAsync);
        orders.MapGet("/{id:int}/no-token", GetWithoutTokenAsync);
        orders.MapGet("/{id:int}/history", HistoryAsync);
        orders.MapGet("/export", ExportAsync);
        orders.MapGet("/export/no-token", ExportWithoutTokenAsync);
    }

    /// <summary>Right: the request's token reaches the query, so an abort cancels it in PostgreSQL.</summary>
    public static async Task<IResult> GetAsync(int id, ShopDb db, CancellationToken cancellationToken) =>
        await Slow(db, id).FirstOrDefaultAsync(cancellationToken) is { } order ? Results.Ok(order) : Results.NotFound();

    /// <summary>PLANTED MISTAKE: the handler has the token and does not pass it; the query runs on after the client has gone.</summary>
    public static async Task<IResult> GetWithoutTokenAsync(int id, ShopDb db, CancellationToken cancellationToken) =>
        await Slow(db, id).FirstOrDefaultAsync() is { } order ? Results.Ok(order) : Results.NotFound();

    /// <summary>PLANTED MISTAKE: no token at all (the handler never asks for one), so nothing can tell the query the client left.</summary>
    public static async Task<IResult> HistoryAsync(int id, ShopDb db) =>
        Results.Ok(await Slow(db, id).ToListAsync());

    /// <summary>Right: the export reads its rows with the token, and stops when the client does.</summary>
    public static async Task<IResult> ExportAsync(ShopDb db, CancellationToken cancellationToken) =>
        Results.Ok((await Export(db).ToListAsync(cancellationToken)).Count);

    /// <summary>PLANTED MISTAKE: .ToListAsync() without the token streams the whole result after the client has gone.</summary>
    public static async Task<IResult> ExportWithoutTokenAsync(ShopDb db, CancellationToken cancellationToken) =>
        Results.Ok((await Export(db).ToListAsync()).Count);

    private static IQueryable<Order> Slow(ShopDb db, int id) =>
        db.Orders.FromSql($"""SELECT o.* FROM shop_orders o, pg_sleep(2) WHERE o."Id" = {id}""");

    private static IQueryable<ExportRow> Export(ShopDb db) =>
        db.Database.SqlQueryRaw<ExportRow>("""SELECT g AS "Id", md5(g::text) AS "Hash" FROM generate_series(1, 2000) g CROSS JOIN LATERAL pg_sleep(0.001 + g * 0)""");
}
