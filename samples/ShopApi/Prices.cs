namespace ShopApi;

/// <summary>A price, as the pricing service answers it.</summary>
public sealed record Price(string Sku, decimal Amount);

/// <summary>The pricing service, a second process (Pricing:BaseUrl; by default this one's own /pricing endpoint).</summary>
public sealed class PricingClient(HttpClient http)
{
    public Task<Price?> GetAsync(string sku, CancellationToken cancellationToken) =>
        http.GetFromJsonAsync<Price>($"pricing/{Uri.EscapeDataString(sku)}", cancellationToken);

    /// <summary>The same call, as code that forgot the token writes it.</summary>
    public Task<Price?> GetAsync(string sku) => http.GetFromJsonAsync<Price>($"pricing/{Uri.EscapeDataString(sku)}");
}

public static class Prices
{
    public static void MapPrices(this IEndpointRouteBuilder app)
    {
        app.MapGet("/prices/{sku}", GetAsync);
        app.MapGet("/prices/{sku}/no-token", GetWithoutTokenAsync);
        // The pricing service's own endpoint: it takes three seconds, and stops when its caller does.
        app.MapGet("/pricing/{sku}", async (string sku, CancellationToken cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            return new Price(sku, 9.99m);
        });
    }

    /// <summary>Right: the call to the pricing service carries the request's token; an abort cancels it there too.</summary>
    public static async Task<IResult> GetAsync(string sku, PricingClient pricing, CancellationToken cancellationToken) =>
        Results.Ok(await pricing.GetAsync(sku, cancellationToken));

    /// <summary>PLANTED MISTAKE: the HttpClient call without the token keeps the pricing service working for nobody.</summary>
    public static async Task<IResult> GetWithoutTokenAsync(string sku, PricingClient pricing, CancellationToken cancellationToken) =>
        Results.Ok(await pricing.GetAsync(sku));
}
