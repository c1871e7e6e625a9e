using CancelDemo.Server.Kestrel;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Hosting;

/// <summary>How the server refuses to start: a first line that says why, one line per problem on stderr, exit code 1, no stack trace.</summary>
public static class StartupErrors
{
    public const int ExitCode = 1;

    public static int BadConfiguration(IEnumerable<string> problems) => Report("CancelDemo cannot start: bad configuration.", problems);

    /// <summary>The host's own start-up validation failed (one options type, or several at once).</summary>
    public static int BadConfiguration(Exception error) => BadConfiguration(error switch
    {
        OptionsValidationException one => one.Failures,
        AggregateException many => many.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures),
        _ => [error.Message],
    });

    public static bool IsBadConfiguration(Exception error) =>
        error is OptionsValidationException || (error is AggregateException many && many.InnerExceptions.All(e => e is OptionsValidationException));

    /// <summary>
    /// A listener's address is taken: which listener, and the setting that moves it. Null when <paramref name="error"/>
    /// is not that.
    /// </summary>
    public static int? CannotListen(Exception error, Listeners listeners)
    {
        if (error is not IOException { InnerException: AddressInUseException })
        {
            return null;
        }
        // Kestrel says "Failed to bind to address http://127.0.0.1:8080: address already in use."
        var address = error.Message.Split(' ').Select(word => Uri.TryCreate(word.TrimEnd(':', '.'), UriKind.Absolute, out var uri) ? uri : null).FirstOrDefault(u => u is not null);
        var name = address is null ? null : listeners.Configured.FirstOrDefault(n => listeners.Url(n) is { } url && url.Port == address.Port && url.Scheme == address.Scheme);
        var line = name is null
            ? $"{address?.ToString() ?? "a listener's address"} is already in use: change its Kestrel:Endpoints:<name>:Url, or stop what is using it."
            : $"{name} listener ({listeners.Url(name)}): the address is already in use. Change Kestrel:Endpoints:{name}:Url " +
              $"(e.g. --Kestrel:Endpoints:{name}:Url={listeners.Url(name)!.Scheme}://127.0.0.1:0 for any free port), or stop what is using it.";
        return Report("CancelDemo cannot listen.", [line]);
    }

    private static int Report(string headline, IEnumerable<string> problems)
    {
        Console.Error.WriteLine(headline);
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"  {problem}");
        }
        return ExitCode;
    }
}
