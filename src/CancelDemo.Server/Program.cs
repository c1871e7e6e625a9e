using CancelDemo.Server.Database;
using CancelDemo.Server.DeadPeer;
using CancelDemo.Server.Downstream;
using CancelDemo.Server.Endpoints;
using CancelDemo.Server.Hosting;
using CancelDemo.Server.Kestrel;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Web;
using CancelDemo.Server.Work;
using Microsoft.Extensions.Options;

try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddCancelDemoDefaults();
    builder.Services.AddCancelDemoLogging();
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

    var app = builder.Build();

    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseMiddleware<RequestIdMiddleware>();
    app.UseCors();
    app.UseMiddleware<RequestRecordingMiddleware>();
    app.UseSamplePage();
    app.UseCancelDemoSwagger();

    app.MapWorkApi();
    app.MapTransferApi();
    app.MapQueryApi();
    app.MapChainApi();
    app.MapLedgerApi();
    app.MapSiteApi();
    app.MapHealthChecks("/healthz");
    app.LogListenersOnStart();

    app.Run();
}
catch (OptionsValidationException error)
{
    // A bad setting: say which, plainly, and exit 1 (not an unhandled exception's stack trace).
    return StartupErrors.Report(error);
}
return 0;

/// <summary>The entry point, public so WebApplicationFactory can host it in tests.</summary>
public partial class Program;
