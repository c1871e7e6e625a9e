using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CancelDemo.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// What the audit package tells besides its ledger, in an app of its own on real sockets: one Information line naming
/// what ran on, the meter's counts per route, and the abort on the request's activity.
/// </summary>
public sealed class AuditPackageTests
{
    private static readonly ActivitySource Work = new("AuditPackageTests.Work");

    [Fact]
    public async Task WorkThatRunsOnIsOneInformationLineAMetricAndAnEventAndATagOnTheRequestsActivity()
    {
        var logs = new ConcurrentQueue<(LogLevel Level, string Category, string Message)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new QueueLogger(logs)).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddCancellationAudit(o => o.ActivitySources.Add(Work.Name));
        await using var app = builder.Build();
        // A leak: a step of the app's own that never looks at the token.
        app.MapGet("/leak/{n}", async (string n) =>
        {
            using var step = Work.StartActivity("slow step");
            await Task.Delay(1000);
            return n;
        });
        app.MapCancellationAudit();

        var meters = new ConcurrentQueue<(string Instrument, double Value, string? Route)>();
        using var meterListener = new MeterListener();
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        meterListener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CancelDemo.AspNetCore" && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => meters.Enqueue((i.Name, v, Route(tags))));
        meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => meters.Enqueue((i.Name, v, Route(tags))));
        meterListener.Start();
        var requests = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = requests.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);
        await app.StartAsync();

        var id = CancelDemoServer.NewId("package");
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(CancelDemoServer.Get("/leak/7", id), cancel.Token));

        await WaitForAsync(() => logs.Any(l => l.Message.StartsWith("Work ran on", StringComparison.Ordinal)));
        var line = logs.First(l => l.Message.StartsWith("Work ran on", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains($"GET /leak/{{n}} (request {id}, FIN)", line.Message, StringComparison.Ordinal);
        Assert.Contains("AuditPackageTests.Work \"slow step\" ran", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs, l => l.Level >= LogLevel.Warning);
        // Counted before the line is written.
        Assert.Contains(meters, m => m.Instrument == "canceldemo.audit.operations_ran_on" && m.Value == 1 && m.Route == "/leak/{n}");
        var workAfterAbort = Assert.Single(meters, m => m.Instrument == "canceldemo.audit.work_after_abort");
        Assert.InRange(workAfterAbort.Value, 300, 5000); // the handler ran its second out after the abort
        // The listener hears every app of the test process: this request's activity is the one tied to its record.
        bool Ours(Activity a) => a.GetCustomProperty("CancelDemo.AspNetCore.AuditedRequest") is AuditedRequest r && r.Id == id;
        await WaitForAsync(() => requests.Any(Ours)); // it stops after the pipeline has ended
        var request = Assert.Single(requests, Ours);
        Assert.NotNull(request.GetTagItem("canceldemo.work_after_abort_ms"));
        Assert.Contains(request.Events, e => e.Name == "canceldemo.client_aborted" && e.Tags.Any(t => t.Key == "canceldemo.abort_signal" && (string?)t.Value == "FIN"));
        await app.StopAsync();
    }

    private static string? Route(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var (key, value) in tags)
        {
            if (key == "http.route")
            {
                return value as string;
            }
        }
        return null;
    }

    private static async Task WaitForAsync(Func<bool> found)
    {
        using var bound = new CancellationTokenSource(TaskTimeouts.Default);
        while (!found())
        {
            await Task.Delay(50, bound.Token); // the log line comes once the step has ended: look again, bounded
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<(LogLevel, string, string)> logs) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue((logLevel, "", formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
