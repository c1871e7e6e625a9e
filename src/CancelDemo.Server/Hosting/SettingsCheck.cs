using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using CancelDemo.Server.DeadPeer;
using CancelDemo.Server.Diagnostics;
using CancelDemo.Server.Downstream;
using CancelDemo.Server.Kestrel;
using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Serilog.Events;

namespace CancelDemo.Server.Hosting;

/// <summary>
/// Every setting the server reads, checked before the host is built, so that every problem in every section is
/// reported at once, one line each: a value that does not parse, a key of the server's own sections that does not
/// exist (with the closest one named), a value out of range (the same validators the host runs at start-up), a
/// Serilog level that is no level, and a Kestrel endpoint URL or protocol Kestrel would refuse.
/// </summary>
public static class SettingsCheck
{
    public static IReadOnlyList<string> Problems(IConfiguration configuration) =>
    [
        .. Section(configuration, LedgerOptions.Section, new ValidateLedgerOptions()),
        .. Section(configuration, ConsoleLogOptions.Section, new ValidateConsoleLogOptions()),
        .. Section(configuration, DeadPeerOptions.Section, new ValidateDeadPeerOptions(configuration), ValidateDeadPeerOptions.RemovedKeys),
        .. Section(configuration, TransportOptions.Section, new ValidateTransportOptions()),
        .. Section(configuration, DownstreamOptions.Section, new ValidateDownstreamOptions()),
        .. Section<TlsOptions>(configuration, TlsOptions.Section, validator: null),
        .. Section<TelemetryOptions>(configuration, TelemetryOptions.Section, validator: null),
        .. Otlp(configuration),
        .. SerilogLevels(configuration),
        .. KestrelEndpoints(configuration),
    ];

    /// <summary>The message for a whole number out of its range, the same wherever it is checked.</summary>
    public static string OutOfRange(string key, long value, long min, long max) => $"{key} must be between {min} and {max} (it is {value}).";

    private static IEnumerable<string> Section<T>(IConfiguration configuration, string name, IValidateOptions<T>? validator, IReadOnlyCollection<string>? removed = null)
        where T : class, new()
    {
        var section = configuration.GetSection(name);
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (removed?.Contains(child.Key, StringComparer.OrdinalIgnoreCase) == true)
            {
                continue; // the validator says what replaced it
            }
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add(UnknownKey(name, child.Key, properties.Keys));
            }
            else if (child.Value is { } value && Parse(property.PropertyType, value) is { } allowed)
            {
                problems.Add($"{name}:{property.Name} is '{LogText.Escape(value)}': it must be {allowed}.");
            }
        }
        if (problems.Count > 0 || validator is null)
        {
            return problems;
        }
        var result = validator.Validate(Options.DefaultName, section.Get<T>() ?? new T());
        return result.Failed ? result.Failures : [];
    }

    /// <summary>What <paramref name="type"/> accepts, when <paramref name="value"/> is not one of those; null when it parses.</summary>
    private static string? Parse(Type type, string value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return null;
        }
        try
        {
            // The conversion the configuration binder itself uses.
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return type == typeof(int) ? "a whole number"
                : type == typeof(bool) ? "true or false"
                : type == typeof(TimeSpan) ? "a time span written hh:mm:ss (00:00:10 is ten seconds)"
                : $"a {type.Name}";
        }
    }

    private static string UnknownKey(string section, string key, IEnumerable<string> known)
    {
        var closest = known.Select(k => (Key: k, Distance: Distance(k.ToUpperInvariant(), key.ToUpperInvariant()))).OrderBy(k => k.Distance).First();
        return closest.Distance <= Math.Max(2, closest.Key.Length / 3)
            ? $"{section}:{LogText.Escape(key)} is not a setting; did you mean {section}:{closest.Key}?"
            : $"{section}:{LogText.Escape(key)} is not a setting; {section} has {string.Join(", ", known.Order(StringComparer.Ordinal))}.";
    }

    /// <summary>Levenshtein distance: the fewest one-letter edits from <paramref name="a"/> to <paramref name="b"/>.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    private static IEnumerable<string> SerilogLevels(IConfiguration configuration)
    {
        var minimum = configuration.GetSection("Serilog:MinimumLevel");
        var levels = new List<(string Key, string? Value)> { (minimum.Path, minimum.Value), ($"{minimum.Path}:Default", minimum["Default"]) };
        levels.AddRange(minimum.GetSection("Override").GetChildren().Select(o => (o.Path, o.Value)));
        foreach (var (key, value) in levels)
        {
            if (value is not null && !(Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out _) && !int.TryParse(value, CultureInfo.InvariantCulture, out _)))
            {
                yield return $"{key} is '{LogText.Escape(value)}': it must be one of {string.Join(", ", Enum.GetNames<LogEventLevel>())}.";
            }
        }
    }

    /// <summary>The standard OTLP exporter settings, as OpenTelemetry's exporter would read them.</summary>
    private static IEnumerable<string> Otlp(IConfiguration configuration)
    {
        var endpoint = configuration[TelemetrySetup.EndpointKey];
        if (!string.IsNullOrWhiteSpace(endpoint)
            && !(Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0))
        {
            yield return $"{TelemetrySetup.EndpointKey} is '{LogText.Escape(endpoint)}': it must be an http:// or https:// URL, e.g. http://localhost:4317.";
        }
        var protocol = configuration[TelemetrySetup.ProtocolKey];
        if (!string.IsNullOrWhiteSpace(protocol) && !TelemetrySetup.Protocols.Contains(protocol.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            yield return $"{TelemetrySetup.ProtocolKey} is '{LogText.Escape(protocol)}': it must be one of {string.Join(", ", TelemetrySetup.Protocols)}.";
        }
    }

    private static IEnumerable<string> KestrelEndpoints(IConfiguration configuration)
    {
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var url = endpoint["Url"];
            if (string.IsNullOrEmpty(url))
            {
                yield return $"{endpoint.Path}:Url is missing: every Kestrel endpoint needs one, e.g. http://localhost:8080.";
            }
            else if (!ListenerUrls.IsValid(url))
            {
                yield return $"{endpoint.Path}:Url is '{LogText.Escape(url)}': it must be an http:// or https:// URL with a host and port, e.g. http://localhost:8080.";
            }
            if (endpoint["Protocols"] is { } protocols && !(Enum.TryParse<HttpProtocols>(protocols, ignoreCase: true, out _) && !int.TryParse(protocols, CultureInfo.InvariantCulture, out _)))
            {
                yield return $"{endpoint.Path}:Protocols is '{LogText.Escape(protocols)}': it must be one of Http1, Http2, Http1AndHttp2.";
            }
        }
    }
}
