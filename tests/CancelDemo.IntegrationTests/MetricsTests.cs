using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>Meter "CancelDemo" counts outcomes and measures abort-to-stop latency.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task ClientAbortIsCountedByOutcomeAndProtocolWithItsAbortToStopLatency()
    {
        await using var server = new CancelDemoServer();
        using var listener = Listen(server, out var measurements);

        var id = NewId("metrics");
        using var client = server.CreateClient(Transport.H2c);
        await server.CancelMidRequestAsync(client, "/http1?iterations=50&stepMs=50", id, e => e.IterationsCompleted >= 1);

        Assert.Contains(measurements, m => m.Instrument == "canceldemo.requests" && m.Value == 1
            && Equals(m.Tags["outcome"], "clientAborted") && Equals(m.Tags["protocol"], "HTTP/2"));
        var latency = Assert.Single(measurements, m => m.Instrument == "canceldemo.abort_to_stop");
        Assert.InRange(latency.Value, 0, 1000);
    }

    [Fact]
    public async Task RequestsAreTaggedWithTheirRoutePatternNotTheRawPath()
    {
        await using var server = new CancelDemoServer();
        using var listener = Listen(server, out var measurements);
        using var client = server.CreateClient(Transport.Http1);

        foreach (var path in new[] { "/http1", "/HTTP1", "/http1/", "/Http1/" })
        {
            using var response = await client.SendAsync(Get($"{path}?iterations=1&stepMs=1", NewId("route"))).DefaultTimeout();
            response.EnsureSuccessStatusCode();
        }

        var routes = measurements.Where(m => m.Instrument == "canceldemo.requests").Select(m => m.Tags["http.route"]).ToList();
        Assert.Equal(["/http1", "/http1", "/http1", "/http1"], routes);
    }

    /// <summary>Every measurement of this server's own meter (other servers in the process have meters of their own).</summary>
    private static MeterListener Listen(CancelDemoServer server, out ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> measurements)
    {
        var scope = server.Services.GetRequiredService<IMeterFactory>();
        var queue = measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CancelDemoMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => queue.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => queue.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();
        return listener;
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var (key, value) in tags)
        {
            result[key] = value;
        }
        return result;
    }
}
