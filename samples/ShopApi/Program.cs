using CancelDemo.AspNetCore;
using Microsoft.EntityFrameworkCore;
using ShopApi;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddDbContext<ShopDb>(o => o.UseNpgsql(builder.Configuration.GetConnectionString("Shop")
    ?? throw new InvalidOperationException("Set ConnectionStrings:Shop (samples/postgres/run.sh prints one).")));
builder.Services.AddHttpClient<PricingClient>(c => c.BaseAddress = new Uri(builder.Configuration["Pricing:BaseUrl"] ?? "http://localhost:5080/"));
// The audit: every request's abort, and what outlived it. Its own spans (ShopApi.Reports) count as operations too.
builder.Services.AddCancellationAudit(o => o.ActivitySources.Add(Reports.Source.Name));

var app = builder.Build();
await ShopDb.EnsureSeededAsync(app.Services);

app.MapOrders();
app.MapPrices();
app.MapReports();
app.MapCancellationAudit();

app.Run();


