using CancelDemo.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CancelDemo.Server.Tests;

/// <summary>OpenTelemetry is on only when OTEL_EXPORTER_OTLP_ENDPOINT says where to export, and then names the process.</summary>
public sealed class TelemetrySetupTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task WithoutAnEndpointNothingOfOpenTelemetryIsRegisteredAndTheLoopMakesNoSpan()
    {
        await using var server = new InProcessServer();
        using var client = server.CreateClient();

        using var response = await client.GetAsync(new Uri("/http1?iterations=1&stepMs=1", UriKind.Relative));

        response.EnsureSuccessStatusCode();
        Assert.Null(server.Services.GetService<TracerProvider>());
        Assert.Null(server.Services.GetService<TelemetryExport>());
        // Nothing listens to the server's own source, so StartActivity hands out nothing.
        Assert.False(Diagnostics.ServerActivities.Source.HasListeners());
    }

    [Fact]
    public void AnEndpointTurnsItOnWithGrpcAsTheDefaultProtocol()
    {
        var export = TelemetrySetup.Export(Settings(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"), ("OTEL_SERVICE_NAME", "edge")));

        Assert.Equal(new TelemetryExport(new Uri("http://127.0.0.1:4317"), "grpc", "edge", AspNetCoreTags: false), export);
        Assert.Null(TelemetrySetup.Export(Settings(("OTEL_EXPORTER_OTLP_ENDPOINT", " "))));
    }

    [Fact]
    public void TheProtocolAndAspNetCoreTagsAreReadFromTheirSettings()
    {
        var export = TelemetrySetup.Export(Settings(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "HTTP/Protobuf"),
            ("Telemetry:AspNetCoreTags", "true")));

        Assert.Equal("http/protobuf", export!.Protocol);
        Assert.True(export.AspNetCoreTags);
    }

    [Theory]
    [InlineData("http://localhost:8080", "canceldemo-8080")]
    [InlineData("http://*:9000", "canceldemo-9000")]
    public void WithoutAServiceNameTheHttp1ListenersPortNamesTheProcess(string url, string expected) =>
        Assert.Equal(expected, TelemetrySetup.ServiceName(Settings(("Kestrel:Endpoints:Http1:Url", url))));

    [Fact]
    public void APortTheSystemPicksNamesTheProcessByItsId() =>
        Assert.Equal($"canceldemo-{Environment.ProcessId}", TelemetrySetup.ServiceName(Settings(("Kestrel:Endpoints:Http1:Url", "http://127.0.0.1:0"))));
}
