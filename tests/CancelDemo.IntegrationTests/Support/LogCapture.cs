using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace CancelDemo.IntegrationTests.Support;

public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>
/// Every event the test host logs, as Serilog passed it to its sinks (after the server's levels): registered as a
/// sink service, which the server's logging reads (ReadFrom.Services), for tests to assert on.
/// </summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<CapturedLog> _events = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<CapturedLog, bool> Match, TaskCompletionSource<CapturedLog> Found)> _waiters = [];

    public IReadOnlyList<CapturedLog> Events => [.. _events];

    public void Emit(LogEvent logEvent)
    {
        var captured = new CapturedLog(
            Text(logEvent, "SourceContext") ?? "",
            (LogLevel)(int)logEvent.Level, // Serilog's levels run Verbose..Fatal in the same order as Trace..Critical
            EventIdOf(logEvent),
            Render(logEvent),
            logEvent.Exception);
        lock (_gate)
        {
            _events.Enqueue(captured);
            foreach (var waiter in _waiters.Where(w => w.Match(captured)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Found.TrySetResult(captured);
            }
        }
    }

    /// <summary>The first event, logged so far or from now on, that <paramref name="match"/> accepts (bounded by the default timeout).</summary>
    public Task<CapturedLog> WaitForAsync(Func<CapturedLog, bool> match)
    {
        var found = new TaskCompletionSource<CapturedLog>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_events.FirstOrDefault(match) is { } already)
            {
                return Task.FromResult(already);
            }
            _waiters.Add((match, found));
        }
        return found.Task.WaitAsync(TaskTimeouts.Default);
    }

    // As the console writes it: {Message:l}, strings without quotes.
    private static readonly MessageTemplateTextFormatter MessageOnly = new("{Message:l}", System.Globalization.CultureInfo.InvariantCulture);

    private static string Render(LogEvent logEvent)
    {
        using var text = new StringWriter();
        MessageOnly.Format(logEvent, text);
        return text.ToString();
    }

    private static string? Text(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string text } ? text : null;

    /// <summary>Serilog's Microsoft.Extensions.Logging adapter keeps the EventId as a structure { Id, Name }.</summary>
    private static EventId EventIdOf(LogEvent logEvent)
    {
        if (!logEvent.Properties.TryGetValue("EventId", out var value) || value is not StructureValue structure)
        {
            return default;
        }
        var id = structure.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: int n } ? n : 0;
        var name = structure.Properties.FirstOrDefault(p => p.Name == "Name")?.Value is ScalarValue { Value: string s } ? s : null;
        return new EventId(id, name);
    }
}
