using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Kestrel;

/// <summary>Configuration section "Transport": how Kestrel's socket transport schedules its work (see the README's benchmark levers).</summary>
public sealed class TransportOptions
{
    public const string Section = "Transport";
    public const int MaxIOQueueCount = 64;

    /// <summary>
    /// Kestrel's SocketTransportOptions.UnsafePreferInlineScheduling: run the transport's and the application's
    /// continuations on the socket's I/O thread instead of queueing them to the thread pool.
    /// </summary>
    public bool InlineScheduling { get; set; }

    /// <summary>Kestrel's SocketTransportOptions.IOQueueCount (0–64, 0: the thread pool directly); null: Kestrel's default (the processor count, at most 16).</summary>
    public int? IOQueueCount { get; set; }
}

public sealed class ValidateTransportOptions : IValidateOptions<TransportOptions>
{
    public ValidateOptionsResult Validate(string? name, TransportOptions options) =>
        options.IOQueueCount is { } count and (< 0 or > TransportOptions.MaxIOQueueCount)
            ? ValidateOptionsResult.Fail($"{TransportOptions.Section}:{nameof(options.IOQueueCount)} must be between 0 (the thread pool directly) " +
                                         $"and {TransportOptions.MaxIOQueueCount} (it is {count}).")
            : ValidateOptionsResult.Success;
}

public sealed class TransportSetup(IOptions<TransportOptions> options) : IConfigureOptions<SocketTransportOptions>
{
    public void Configure(SocketTransportOptions transport)
    {
        transport.UnsafePreferInlineScheduling = options.Value.InlineScheduling;
        if (options.Value.IOQueueCount is { } count)
        {
            transport.IOQueueCount = count;
        }
    }
}
