using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// How the client went away (FIN, RST, RST_STREAM) comes from the transport itself: no log setting may change
/// what the ledger records.
/// </summary>
public sealed class AbortSignalTests
{
    public static TheoryData<string, string> LogSettings() => new()
    {
        { "defaults", "" },
        { "Logging:LogLevel:Default", "Warning" },
        { "Serilog:MinimumLevel:Default", "Warning" },
        { "Serilog:MinimumLevel:Override:Microsoft", "Information" },
    };

    [Theory]
    [MemberData(nameof(LogSettings))]
    public async Task TheAbortSignalIsTheSameWhateverTheLogSettings(string key, string value)
    {
        await using var server = key == "defaults" ? new CancelDemoServer() : With(new Dictionary<string, string?> { [key] = value });

        var fin = await AbortOverHttp1Async(server, reset: false);
        var rst = await AbortOverHttp1Async(server, reset: true);
        var rstStream = await AbortOverHttp2Async(server);

        Assert.Equal(("FIN", "client"), (fin.AbortSignal, fin.AbortSource));
        Assert.Equal(("RST", "client"), (rst.AbortSignal, rst.AbortSource));
        Assert.Equal(("RST_STREAM", "client"), (rstStream.AbortSignal, rstStream.AbortSource));
        Assert.All([fin, rst, rstStream], e => Assert.Equal((RequestOutcome.ClientAborted, 499), (e.Outcome, e.StatusCode)));
        // Serilog is the only logger factory: its own levels decide what is written, Logging:LogLevel does not.
        // (The FIN abort's summary line was written right after its end, long before the two aborts that followed.)
        var summaryWritten = server.Logs.Events.Any(e => e.EventId.Id == 10 && e.Message.EndsWith(fin.Id, StringComparison.Ordinal));
        Assert.Equal(key != "Serilog:MinimumLevel:Default", summaryWritten);
    }

    private static async Task<LedgerEntry> AbortOverHttp1Async(CancelDemoServer server, bool reset)
    {
        var id = NewId(reset ? "rst" : "fin");
        using var client = await RawHttp1.ConnectAsync(server);
        await client.GetAsync("/http1?iterations=50&stepMs=100", id);
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);
        if (reset)
        {
            client.CloseWithReset();
        }
        else
        {
            client.CloseWithFin();
        }
        return await server.WaitForEndAsync(id);
    }

    private static async Task<LedgerEntry> AbortOverHttp2Async(CancelDemoServer server)
    {
        var id = NewId("rst-stream");
        using var client = server.CreateClient(Transport.H2c);
        return await server.CancelMidRequestAsync(client, "/http2?iterations=50&stepMs=100", id, e => e.IterationsCompleted >= 1);
    }
}
