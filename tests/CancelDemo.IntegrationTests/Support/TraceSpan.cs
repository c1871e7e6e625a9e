using System.Globalization;
using System.Text.Json;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>A span's status as OTLP carries it: Unset (no status field), Ok or Error, with Error's description.</summary>
public sealed record SpanStatus(string Code, string? Message)
{
    public static readonly SpanStatus Unset = new("Unset", null);

    public override string ToString() => Message is null ? Code : $"{Code} \"{Message}\"";
}

public sealed record SpanEvent(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One span of a trace, as the Aspire Dashboard serves it (OTLP JSON), with the service that sent it.</summary>
public sealed record TraceSpan(string Service, string Scope, string Name, string SpanId, string? ParentSpanId, DateTimeOffset Start, DateTimeOffset End,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<SpanEvent> Events, SpanStatus Status)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    /// <summary>Every span of every resource in an OTLP JSON traces document (`{"data":{"resourceSpans":[...]}}`).</summary>
    public static IReadOnlyList<TraceSpan> Parse(JsonElement document)
    {
        var spans = new List<TraceSpan>();
        var data = document.TryGetProperty("data", out var d) ? d : document;
        foreach (var resource in data.GetProperty("resourceSpans").EnumerateArray())
        {
            var service = ReadAttributes(resource.GetProperty("resource")).GetValueOrDefault("service.name") ?? "?";
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                var scopeName = scope.GetProperty("scope").GetProperty("name").GetString() ?? "";
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    var events = span.TryGetProperty("events", out var e)
                        ? e.EnumerateArray().Select(ev => new SpanEvent(ev.GetProperty("name").GetString()!, Time(ev.GetProperty("timeUnixNano")), ReadAttributes(ev))).ToList()
                        : [];
                    spans.Add(new TraceSpan(service, scopeName, span.GetProperty("name").GetString()!, span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) && parent.GetString() is { Length: > 0 } p ? p : null,
                        Time(span.GetProperty("startTimeUnixNano")), Time(span.GetProperty("endTimeUnixNano")), ReadAttributes(span), events, ReadStatus(span)));
                }
            }
        }
        return spans;
    }

    private static SpanStatus ReadStatus(JsonElement span)
    {
        if (!span.TryGetProperty("status", out var status) || !status.TryGetProperty("code", out var code))
        {
            return SpanStatus.Unset;
        }
        var name = code.ValueKind == JsonValueKind.Number
            ? code.GetInt32() switch { 1 => "Ok", 2 => "Error", _ => "Unset" }
            : code.GetString() switch { "STATUS_CODE_OK" => "Ok", "STATUS_CODE_ERROR" => "Error", _ => "Unset" };
        return new SpanStatus(name, status.TryGetProperty("message", out var m) && m.GetString() is { Length: > 0 } message ? message : null);
    }

    private static DateTimeOffset Time(JsonElement nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks(long.Parse(nanos.ValueKind == JsonValueKind.String ? nanos.GetString()! : nanos.GetRawText(), CultureInfo.InvariantCulture) / 100);

    private static Dictionary<string, string> ReadAttributes(JsonElement owner)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (owner.TryGetProperty("attributes", out var list))
        {
            foreach (var attribute in list.EnumerateArray())
            {
                var value = attribute.GetProperty("value");
                attributes[attribute.GetProperty("key").GetString()!] = value.EnumerateObject().FirstOrDefault() is { Value: var v } && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : value.EnumerateObject().FirstOrDefault().Value.GetRawText();
            }
        }
        return attributes;
    }
}
