using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CancelDemo.AspNetCore.Transport;

/// <summary>
/// Kestrel only: every listener's connections read through an <see cref="InputPump"/>, first of all (below TLS), so
/// that each connection carries a <see cref="ConnectionSignal"/> saying how its peer ended it. Kestrel keeps one set of
/// endpoint defaults (ConfigureEndpointDefaults replaces the previous one): an app that sets its own turns
/// <see cref="CancellationAuditOptions.ReadTransportSignals"/> off and calls <see cref="UseTransportSignals"/> in them.
/// </summary>
public static class TransportSignals
{
    /// <summary>Reads this listener's connections through the transport-signal pump (put it first, before UseHttps).</summary>
    public static ListenOptions UseTransportSignals(this ListenOptions listen)
    {
        var pauseAt = listen.KestrelServerOptions.Limits.MaxRequestBufferSize ?? 0;
        listen.Use(next => connection => PumpAsync(connection, next, pauseAt));
        return listen;
    }

    private static async Task PumpAsync(ConnectionContext connection, ConnectionDelegate next, long pauseAt)
    {
        var signal = new ConnectionSignal();
        connection.Features.Set(signal);
        var transport = connection.Transport;
        var pump = InputPump.Start(transport.Input, connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool, pauseAt, signal);
        connection.Transport = new DuplexPipe(pump.Input, transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            await pump.StopAsync();
            connection.Transport = transport;
        }
    }

    /// <summary>The package's own endpoint defaults, unless the app reads the signals in its own.</summary>
    internal sealed class Defaults(IOptions<CancellationAuditOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            if (options.Value.ReadTransportSignals)
            {
                kestrel.ConfigureEndpointDefaults(listen => listen.UseTransportSignals());
            }
        }
    }

    private sealed class DuplexPipe(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.PipeWriter output) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input { get; } = input;

        public System.IO.Pipelines.PipeWriter Output { get; } = output;
    }
}
