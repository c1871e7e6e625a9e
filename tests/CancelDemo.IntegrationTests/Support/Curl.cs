namespace CancelDemo.IntegrationTests.Support;

/// <summary>Real curl (or a sample script that runs it), interrupted the way a person's Ctrl-C does it.</summary>
public static class Curl
{
    /// <summary>Starts curl or a script with SIGINT at its default action, so Interrupt really lands.</summary>
    public static ChildProcess Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null) =>
        ChildProcess.Start(command[0], command.Skip(1), environment, defaultSigInt: true);

    /// <summary>curl's command line for <paramref name="transport"/>: HTTP/1.1, HTTP/2 over TLS trusting our PEM, or h2c.</summary>
    public static string[] CommandFor(CancelDemoServer server, Transport transport, string pathAndQuery, string requestId)
    {
        var url = new Uri(server.BaseAddress(transport), pathAndQuery).ToString();
        string[] common = ["curl", "-sS", "-o", "/dev/null", "-H", $"{RequestIds.Header}: {requestId}"];
        return transport switch
        {
            Transport.Http1 => [.. common, "--http1.1", url],
            Transport.Https => [.. common, "--http2", "--cacert", server.Certificate.PemPath, url],
            _ => [.. common, "--http2-prior-knowledge", url],
        };
    }
}
