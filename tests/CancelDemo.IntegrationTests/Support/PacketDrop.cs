namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// Drops every packet of one loopback TCP connection in both directions (iptables, root only), so a
/// client can vanish without its FIN or RST reaching the server. The rules carry a unique comment and
/// are removed on dispose, also when the test fails.
/// </summary>
public sealed class PacketDrop : IAsyncDisposable
{
    private const string CommentPrefix = "canceldemo-vanish-";
    private readonly List<string[]> _rules;

    private PacketDrop(List<string[]> rules) => _rules = rules;

    public static async Task<PacketDrop> ForClientPortAsync(int clientPort)
    {
        var comment = CommentPrefix + Guid.NewGuid().ToString("N")[..12];
        var port = clientPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        List<string[]> rules =
        [
            ["INPUT", "-i", "lo", "-p", "tcp", "--sport", port, "-m", "comment", "--comment", comment, "-j", "DROP"], // client to server
            ["INPUT", "-i", "lo", "-p", "tcp", "--dport", port, "-m", "comment", "--comment", comment, "-j", "DROP"], // server to client
        ];
        var drop = new PacketDrop([]);
        foreach (var rule in rules)
        {
            await IptablesAsync(["-I", .. rule]);
            drop._rules.Add(rule);
        }
        return drop;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var rule in _rules)
        {
            await IptablesAsync(["-D", .. rule]);
        }
        _rules.Clear();
    }

    private static async Task IptablesAsync(string[] arguments)
    {
        var (exit, output) = await ChildProcess.RunAsync("iptables", arguments);
        if (exit != 0)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed ({exit}): {output}");
        }
    }
}
