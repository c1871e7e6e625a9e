using CancelDemo.Server.Diagnostics;
using CancelDemo.Server.Endpoints;
using CancelDemo.Server.Hosting;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Work;

var builder = WebApplication.CreateBuilder(args);

builder.AddCancelDemoDefaults();
builder.AddCancelDemoLogging();
KestrelSetup.AddCancelDemoKestrel(builder.Services, builder.Configuration);
builder.Services.AddOptions<LedgerOptions>().BindConfiguration(LedgerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<RequestLedger>();
builder.Services.AddSingleton<CancelDemoMetrics>();
builder.Services.AddSingleton<CostlyOperation>();
builder.Services.AddSingleton<StopSignals>();
builder.Services.AddCancelDemoJson();
builder.Services.AddProblemDetails();
builder.Services.AddCancelDemoSwagger();
builder.Services.AddHealthChecks();
builder.Services.AddCors();
builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>, OwnOrigins>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestRecordingMiddleware>();
app.UseCors();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseCancelDemoSwagger();

app.MapWorkApi();
app.MapTransferApi();
app.MapLedgerApi();
app.MapSiteApi();
app.MapHealthChecks("/healthz");
app.LogListenersOnStart();

app.Run();

/// <summary>The entry point, public so WebApplicationFactory can host it in tests.</summary>
public partial class Program;
