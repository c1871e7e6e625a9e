using System.Security.Authentication;

namespace CancelDemo.Probe;

/// <summary>What went wrong when the probe could not run, said so that the user knows what to do.</summary>
public static class ProbeErrors
{
    /// <summary>
    /// The request never reached the server: no connection, no TLS session, no such host. That is not the client's
    /// cancel but a probe that cannot run, whatever the scenario was doing.
    /// </summary>
    public static bool IsUnreachable(Exception error) =>
        error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError };

    public static string Describe(Exception error) => error switch
    {
        HttpRequestException { InnerException: AuthenticationException tls } =>
            $"the server's TLS certificate is not trusted ({tls.Message}). Pass the server's PEM with --cacert PATH " +
            $"(CancelDemo prints it when it starts; by default {ProbeSettings.DefaultCaCertificate}), or --insecure to skip the check.",
        OperationCanceledException { InnerException: TimeoutException } => "the server did not answer in time.",
        OperationCanceledException => "it was given up on before the server answered.",
        _ => error.Message,
    };
}
