using System.Globalization;

namespace CancelDemo.Server.Work;

/// <summary>
/// One integer query parameter with its documented range. The same table validates requests
/// and describes the parameter in Swagger, so the two cannot drift apart.
/// </summary>
public sealed record IntQueryParameter(string Name, int Min, int Max, int? Default, string Description)
{
    /// <summary>Parses <paramref name="raw"/>; returns an error message, or null when it is good.</summary>
    public string? TryParse(string? raw, out int? value)
    {
        value = Default;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            value = null;
            return $"'{raw}' is not a whole number; {Name} must be between {Min} and {Max}.";
        }
        if (parsed < Min || parsed > Max)
        {
            value = null;
            return $"{parsed} is out of range; {Name} must be between {Min} and {Max}.";
        }
        value = parsed;
        return null;
    }
}

/// <summary>Collects every bad field of one request, so a client learns them all at once.</summary>
public sealed class QueryErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public IDictionary<string, string[]> ToDictionary() => _errors;

    public int? Parse(IntQueryParameter parameter, string? raw)
    {
        if (parameter.TryParse(raw, out var value) is { } error)
        {
            _errors[parameter.Name] = [error];
        }
        return value;
    }

    public void Add(string name, string error) => _errors[name] = [error];
}
