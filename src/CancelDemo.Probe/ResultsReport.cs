using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace CancelDemo.Probe;

/// <summary>The probe's outputs: a table for people, JSON for machines.</summary>
public static class ResultsReport
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Table Table(IEnumerable<ScenarioResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("What the server saw");
        foreach (var column in new[] { "scenario", "protocol", "server noticed?", "outcome", "abort-to-stop ms", "cancel-to-notice ms", "work after cancel", "client received", "connection reused" })
        {
            table.AddColumn(column);
        }
        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape(r.Scenario),
                Markup.Escape(r.Protocol),
                r.ServerNoticed ? "[green]yes[/]" : r.Missed ? "[red]NO[/]" : "no",
                Markup.Escape(r.Outcome ?? "-"),
                Number(r.AbortToStopMs),
                Number(r.CancelToNoticedMs),
                r.WorkAfterCancel is { } after ? $"{after} {r.Unit}" : "-",
                $"{r.ClientReceivedBytes} bytes",
                r.ConnectionReused switch { true => "yes", false => "no (new connection)", _ => "-" });
        }
        return table;
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<ScenarioResult> results, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, results, Json, cancellationToken);
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
