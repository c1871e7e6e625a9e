using System.Globalization;

namespace CancelDemo.Server.Parameters;

/// <summary>How a query parameter is documented: the type and bounds Swagger shows.</summary>
/// <param name="Type">"integer", "string" or "boolean".</param>
/// <param name="Minimum">Smallest integer accepted.</param>
/// <param name="Maximum">Largest integer accepted.</param>
/// <param name="Names">The names a string parameter accepts.</param>
/// <param name="Default">The value used when the parameter is left out, as text; null when it is optional.</param>
public sealed record QueryParameterSchema(string Type, int? Minimum = null, int? Maximum = null, IReadOnlyList<string>? Names = null, string? Default = null);

/// <summary>
/// One query parameter of an endpoint: its name, meaning, accepted values and default. The same
/// object validates requests and describes the parameter in Swagger, so the two cannot drift apart.
/// Values are parsed strictly: what is not exactly a valid value is a 400, never a guess.
/// </summary>
public abstract class QueryParameter(string name, string description)
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public abstract QueryParameterSchema Schema { get; }

    /// <summary>The value when the parameter is left out (null for an optional one without default).</summary>
    internal abstract object? DefaultValue { get; }

    /// <summary>Parses one raw value; returns the error message, or null with <paramref name="value"/> set.</summary>
    internal abstract string? TryParse(string raw, out object? value);
}

/// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], written in plain ASCII digits.</summary>
public sealed class IntQueryParameter(string name, int min, int max, int? defaultValue, string description) : QueryParameter(name, description)
{
    public int Min { get; } = min;

    public int Max { get; } = max;

    public int? Default { get; } = defaultValue;

    public override QueryParameterSchema Schema => new("integer", Min, Max, Default: Default?.ToString(CultureInfo.InvariantCulture));

    internal override object? DefaultValue => Default;

    internal override string? TryParse(string raw, out object? value)
    {
        value = null;
        // int.TryParse would also take " 5", "5\0", "+5" or "５" (full-width); only plain digits are a number here.
        var digits = raw.StartsWith('-') ? raw[1..] : raw;
        if (digits.Length is 0 or > 10 || !digits.All(char.IsAsciiDigit) ||
            !int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return $"'{raw}' is not a whole number; {Name} must be between {Min} and {Max}.";
        }
        if (parsed < Min || parsed > Max)
        {
            return $"{parsed} is out of range; {Name} must be between {Min} and {Max}.";
        }
        value = parsed;
        return null;
    }
}

/// <summary>One of a fixed set of names (any case), each standing for a value; anything else is refused.</summary>
public class ChoiceQueryParameter<T>(string name, IReadOnlyList<(string Name, T Value)> choices, T defaultValue, string description)
    : QueryParameter(name, description)
    where T : notnull
{
    public T Default { get; } = defaultValue;

    public override QueryParameterSchema Schema => new("string", Names: [.. choices.Select(c => c.Name)], Default: NameOf(Default));

    internal override object? DefaultValue => Default;

    /// <summary>The name that stands for <paramref name="value"/>.</summary>
    public string NameOf(T value) => choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, value)).Name;

    internal override string? TryParse(string raw, out object? value)
    {
        foreach (var (choice, choiceValue) in choices)
        {
            if (string.Equals(choice, raw, StringComparison.OrdinalIgnoreCase))
            {
                value = choiceValue;
                return null;
            }
        }
        value = null;
        return $"'{raw}' is not one of {string.Join(", ", choices.Select(c => $"'{c.Name}'"))}.";
    }
}

/// <summary>
/// One of the names of <typeparamref name="TEnum"/>, lower case on the wire (any case accepted). Enum.TryParse
/// would also take "5", " cpu " and "delay,cpu": only a name is a name.
/// </summary>
public sealed class EnumQueryParameter<TEnum>(string name, TEnum defaultValue, string description)
    : ChoiceQueryParameter<TEnum>(name, [.. Enum.GetValues<TEnum>().Select(v => (v.ToString().ToLowerInvariant(), v))], defaultValue, description)
    where TEnum : struct, Enum;

/// <summary>true or false (any case).</summary>
public sealed class BoolQueryParameter(string name, bool defaultValue, string description) : QueryParameter(name, description)
{
    public bool Default { get; } = defaultValue;

    public override QueryParameterSchema Schema => new("boolean", Default: Default ? "true" : "false");

    internal override object? DefaultValue => Default;

    internal override string? TryParse(string raw, out object? value)
    {
        var known = raw.Equals("true", StringComparison.OrdinalIgnoreCase) || raw.Equals("false", StringComparison.OrdinalIgnoreCase);
        value = known ? raw.Equals("true", StringComparison.OrdinalIgnoreCase) : null;
        return known ? null : $"'{raw}' is not 'true' or 'false'.";
    }
}
