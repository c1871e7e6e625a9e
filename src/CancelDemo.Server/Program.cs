using CancelDemo.Server.Database;
using CancelDemo.Server.DeadPeer;
using CancelDemo.Server.Downstream;
using CancelDemo.Server.Endpoints;
using CancelDemo.Server.Hosting;
using CancelDemo.Server.Kestrel;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Web;
using CancelDemo.Server.Work;

var builder = WebApplication.CreateBuilder(args);

builder.AddCancelDemoDefaults();
if (SettingsCheck.Problems(builder.Configuration) is { Count: > 0 } problems)
{
    return StartupErrors.BadConfiguration(problems);
}
var telemetry = TelemetrySetup.Export(builder.Configuration);
builder.AddCancelDemoTelemetry(telemetry);
builder.Services.AddCancelDemoLogging(writeToProviders: telemetry is not null);
builder.AddCancelDemoKestrel();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddDeadPeerDetection();
builder.Services.AddRequestLedger();
builder.Services.AddCostlyWork();
builder.Services.AddDatabase();
builder.Services.AddDownstream();
builder.Services.AddEndpointLogs();
builder.Services.AddCancelDemoJson();
builder.Services.AddProblemDetails();
builder.Services.AddCancelDemoSwagger();
builder.Services.AddHealthChecks();
builder.Services.AddOwnOriginsCors();
builder.Services.AddCancelDemoHostFiltering();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestIdMiddleware>();
app.UseMiddleware<RequestSummaryMiddleware>();
app.UseHostFiltering();
app.UseCors();
app.UseSamplePage();
app.UseCancelDemoSwagger();

app.MapWorkApi();
app.MapTransferApi();
app.MapQueryApi();
app.MapChainApi();
app.MapCancellationAudit(); // the ledger (/requests), and the audit's middleware, here: after routing, before the endpoints
app.MapSiteApi();
app.MapHealthChecks("/healthz");
app.LogListenersOnStart();

// Resolved now: a host that fails to start has disposed its services by the time its exception arrives here.
var listeners = app.Services.GetRequiredService<Listeners>();
try
{
    app.Run();
}
catch (Exception error) when (StartupErrors.IsBadConfiguration(error))
{
    // Settings read only by the host (the checks above cover the server's own): one line each, exit 1.
    return StartupErrors.BadConfiguration(error);
}
catch (Exception error) when (StartupErrors.CannotListen(error, listeners) is { } exitCode)
{
    return exitCode;
}
return 0;

/// <summary>The entry point, public so WebApplicationFactory can host it in tests.</summary>
public partial class Program;
