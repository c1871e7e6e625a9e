using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Parsing;
using MelLogger = Microsoft.Extensions.Logging.ILogger;

namespace CancelDemo.Server.Hosting;

/// <summary>
/// Microsoft.Extensions.Logging into Serilog: the server's own replacement for Serilog.Extensions.Logging 8.0.0
/// (the newest version that restores here). It keeps that adapter's behaviour — every state value becomes a
/// property (<c>@</c> destructures, <c>$</c> stringifies), <c>EventId</c> becomes a structure, the category is
/// <c>SourceContext</c> (so <c>Serilog:MinimumLevel:Override</c> applies), scope values are properties (the
/// innermost wins, the event's own values win over every scope), and the current activity's trace and span ids
/// travel with the event — and allocates less than half as much per line, because a storm of aborts logs two
/// lines per request and every byte brings the next garbage collection closer:
/// <list type="bullet">
/// <item>each template is parsed once and each <c>EventId</c> structure is built once (both caches bounded);</item>
/// <item>a scope's properties are built once, at the first event inside it, not again for every event;</item>
/// <item>the common scalar values (strings, numbers, booleans) become property values directly, and the event's
/// property table is sized once instead of growing as properties are added.</item>
/// </list>
/// Disposing the provider disposes the Serilog logger (which flushes the console queue).
/// </summary>
[ProviderAlias("Serilog")]
public sealed class SerilogBridge(Logger logger) : ILoggerProvider
{
    internal const string OriginalFormat = "{OriginalFormat}";
    private const int CacheLimit = 1_000;

    private static readonly MessageTemplateParser Parser = new();
    private readonly ConcurrentDictionary<string, MessageTemplate> _templates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(int Id, string? Name), LogEventPropertyValue> _eventIds = new();
    private readonly AsyncLocal<BridgeScope?> _scope = new();

    public MelLogger CreateLogger(string categoryName) =>
        new BridgeLogger(this, logger.ForContext(Constants.SourceContextPropertyName, categoryName));

    public void Dispose() => logger.Dispose();

    internal BridgeScope? CurrentScope
    {
        get => _scope.Value;
        set => _scope.Value = value;
    }

    internal Serilog.ILogger Root => logger;

    internal MessageTemplate Template(string text)
    {
        if (_templates.TryGetValue(text, out var template))
        {
            return template;
        }
        template = Parser.Parse(text);
        return _templates.Count < CacheLimit ? _templates.GetOrAdd(text, template) : template;
    }

    internal LogEventPropertyValue EventIdValue(EventId eventId)
    {
        var key = (eventId.Id, eventId.Name);
        if (_eventIds.TryGetValue(key, out var value))
        {
            return value;
        }
        List<LogEventProperty> parts = [];
        if (eventId.Id != 0)
        {
            parts.Add(new LogEventProperty("Id", new ScalarValue(eventId.Id)));
        }
        if (eventId.Name is not null)
        {
            parts.Add(new LogEventProperty("Name", new ScalarValue(eventId.Name)));
        }
        value = new StructureValue(parts);
        return _eventIds.Count < CacheLimit ? _eventIds.GetOrAdd(key, value) : value;
    }

    /// <summary>
    /// One state or scope value as Serilog.Extensions.Logging binds it: its property name (without an <c>@</c> or
    /// <c>$</c>) and value; false if the name is not a valid property name.
    /// </summary>
    internal static bool TryBind(Serilog.ILogger logger, string key, object? value, out string name, [NotNullWhen(true)] out LogEventPropertyValue? bound)
    {
        LogEventProperty? property;
        if (key.StartsWith('@'))
        {
            logger.BindProperty(key[1..], value, destructureObjects: true, out property);
        }
        else if (key.StartsWith('$'))
        {
            logger.BindProperty(key[1..], value?.ToString(), destructureObjects: true, out property);
        }
        else if (value is null or string or int or long or double or bool && LogEventProperty.IsValidName(key))
        {
            // Serilog's own conversion of these built-in scalars, without its search through conversion policies.
            (name, bound) = (key, new ScalarValue(value));
            return true;
        }
        else
        {
            logger.BindProperty(key, value, destructureObjects: false, out property);
        }
        (name, bound) = (property?.Name ?? key, property?.Value);
        return property is not null;
    }
}

internal sealed class BridgeLogger(SerilogBridge provider, Serilog.ILogger logger) : MelLogger
{
    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logger.IsEnabled(ToSerilog(logLevel));

    public IDisposable BeginScope<TState>(TState state) where TState : notnull => new BridgeScope(provider, state);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.None)
        {
            return;
        }
        var level = ToSerilog(logLevel);
        if (!logger.IsEnabled(level))
        {
            return;
        }
        LogEvent logEvent;
        try
        {
            logEvent = Build(level, eventId, state, exception, formatter);
        }
        catch (Exception e)
        {
            SelfLog.WriteLine("Failed to build an event in {0}: {1}", nameof(SerilogBridge), e);
            return;
        }
        // Not caught: Serilog handles a failing WriteTo sink itself, and rethrows for AuditTo on purpose.
        logger.Write(logEvent);
    }

    private LogEvent Build<TState>(LogEventLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
        var scopeCount = 0;
        var anyItem = false;
        for (var scope = provider.CurrentScope; scope is not null; scope = scope.Parent)
        {
            scopeCount += scope.Properties.Length;
            anyItem |= scope.Item is not null;
        }
        // Sized once for everything the event will hold: the values (whose template's slot EventId takes), the
        // scopes' values, their Scope list and SourceContext, which Serilog adds.
        var capacity = (values?.Count ?? 2) + 1 + scopeCount + (anyItem ? 1 : 0);
        var properties = new Dictionary<string, LogEventPropertyValue>(capacity, StringComparer.Ordinal);
        string? template = null;
        if (values is not null)
        {
            for (var i = 0; i < values.Count; i++)
            {
                Add(properties, values[i], ref template);
            }
        }
        else if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var pair in pairs)
            {
                Add(properties, pair, ref template);
            }
        }
        if (template is null)
        {
            template = "{State:l}";
            // A formatter was once optional in this interface; without one, the state's own text.
            properties["State"] = new ScalarValue(formatter is null ? state?.ToString() : formatter(state, null));
        }
        if (eventId.Id != 0 || eventId.Name is not null)
        {
            properties["EventId"] = provider.EventIdValue(eventId);
        }
        // The event's own values win over every scope's, an inner scope's over an outer one's.
        List<LogEventPropertyValue>? items = null;
        for (var scope = provider.CurrentScope; scope is not null; scope = scope.Parent)
        {
            foreach (var (name, value) in scope.Properties)
            {
                properties.TryAdd(name, value);
            }
            if (scope.Item is { } item)
            {
                (items ??= []).Insert(0, item); // outermost first
            }
        }
        if (items is not null)
        {
            properties.TryAdd("Scope", new SequenceValue(items));
        }
        var activity = Activity.Current;
        return LogEvents.Assemble(DateTimeOffset.Now, level, exception, provider.Template(template), properties,
            activity?.TraceId ?? default, activity?.SpanId ?? default);
    }

    private void Add(Dictionary<string, LogEventPropertyValue> properties, KeyValuePair<string, object?> pair, ref string? template)
    {
        if (pair.Key == SerilogBridge.OriginalFormat && pair.Value is string text)
        {
            template = text;
        }
        else if (SerilogBridge.TryBind(logger, pair.Key, pair.Value, out var name, out var value))
        {
            properties[name] = value;
        }
    }

    private static LogEventLevel ToSerilog(LogLevel level) => level switch
    {
        LogLevel.Critical => LogEventLevel.Fatal,
        LogLevel.Error => LogEventLevel.Error,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Information => LogEventLevel.Information,
        LogLevel.Debug => LogEventLevel.Debug,
        _ => LogEventLevel.Verbose,
    };
}

/// <summary>
/// Builds a <see cref="LogEvent"/> around a property table the caller has filled, without copying it into a new
/// one that grows as it goes (the public constructor's way). Serilog 4 exposes this constructor as
/// <c>LogEvent.UnstableAssembleFromParts</c>; Serilog 3.1.1, the newest that restores here, keeps it private, so it
/// is reached through an <see cref="UnsafeAccessorAttribute"/>. Should a Serilog version lack it, the public
/// constructor is used instead (checked once).
/// </summary>
internal static class LogEvents
{
    private static readonly bool Direct = Probe();

    public static LogEvent Assemble(DateTimeOffset timestamp, LogEventLevel level, Exception? exception, MessageTemplate template,
        Dictionary<string, LogEventPropertyValue> properties, ActivityTraceId traceId, ActivitySpanId spanId) =>
        Direct
            ? Construct(timestamp, level, exception, template, properties, traceId, spanId)
            : new LogEvent(timestamp, level, exception, template, properties.Select(p => new LogEventProperty(p.Key, p.Value)), traceId, spanId);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern LogEvent Construct(DateTimeOffset timestamp, LogEventLevel level, Exception? exception, MessageTemplate messageTemplate,
        Dictionary<string, LogEventPropertyValue> properties, ActivityTraceId traceId, ActivitySpanId spanId);

    private static bool Probe()
    {
        try
        {
            Construct(default, LogEventLevel.Information, null, MessageTemplate.Empty, [], default, default);
            return true;
        }
        catch (MissingMethodException)
        {
            return false;
        }
    }
}

/// <summary>
/// One <c>BeginScope</c>: its values become properties of every event logged inside it. They are bound once, at the
/// first such event: a scope's state does not change (Kestrel's connection id, the request's id and path).
/// </summary>
internal sealed class BridgeScope : IDisposable
{
    private readonly SerilogBridge _provider;
    private readonly object _state;
    private KeyValuePair<string, LogEventPropertyValue>[]? _properties;
    private LogEventPropertyValue? _item;
    private bool _disposed;

    public BridgeScope(SerilogBridge provider, object state)
    {
        _provider = provider;
        _state = state;
        Parent = provider.CurrentScope;
        provider.CurrentScope = this;
    }

    public BridgeScope? Parent { get; }

    /// <summary>The scope's values as properties.</summary>
    public KeyValuePair<string, LogEventPropertyValue>[] Properties => Volatile.Read(ref _properties) ?? Bind();

    /// <summary>
    /// The scope's entry in the event's <c>Scope</c> list, as in Serilog.Extensions.Logging: a plain value (a string,
    /// say), or the formatted message of a state with a template; null for a bag of properties.
    /// </summary>
    public LogEventPropertyValue? Item
    {
        get
        {
            _ = Properties; // binds first; _item is written before _properties is published
            return _item;
        }
    }

    /// <summary>
    /// Binds the state. Two events of one scope at once (two HTTP/2 streams of a connection) may both bind it: they
    /// compute the same thing, and the last one written is kept.
    /// </summary>
    private KeyValuePair<string, LogEventPropertyValue>[] Bind()
    {
        if (_state is not IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            _item = _provider.Root.BindProperty("None", _state, false, out var plain) ? plain.Value : null;
            return Publish([]);
        }
        List<KeyValuePair<string, LogEventPropertyValue>> bound = new((pairs as IReadOnlyCollection<KeyValuePair<string, object?>>)?.Count ?? 4);
        foreach (var (key, value) in pairs)
        {
            if (key == SerilogBridge.OriginalFormat && value is string)
            {
                _item = new ScalarValue(_state.ToString());
            }
            else if (SerilogBridge.TryBind(_provider.Root, key, value, out var name, out var property))
            {
                bound.Add(new(name, property));
            }
        }
        return Publish([.. bound]);
    }

    private KeyValuePair<string, LogEventPropertyValue>[] Publish(KeyValuePair<string, LogEventPropertyValue>[] properties)
    {
        Volatile.Write(ref _properties, properties);
        return properties;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // A scope disposed out of order must not reinstate a parent that is no longer current.
        for (var scan = _provider.CurrentScope; scan is not null; scan = scan.Parent)
        {
            if (ReferenceEquals(scan, this))
            {
                _provider.CurrentScope = Parent;
                return;
            }
        }
    }
}

