using Microsoft.Extensions.Primitives;

namespace CancelDemo.Server.Parameters;

/// <summary>
/// The query of one request, parsed against the endpoint's own parameter table (see
/// <see cref="QueryParameterConventions.WithQueryParameters{TBuilder}"/>). Bound as a handler parameter;
/// the endpoint's validation filter answers 400 before the handler runs if any value is bad, so a
/// handler only ever sees good values.
/// </summary>
public sealed class QueryValues
{
    private readonly Dictionary<QueryParameter, object?> _values;

    private QueryValues(Dictionary<QueryParameter, object?> values, Dictionary<string, string[]> errors)
    {
        _values = values;
        Errors = errors;
    }

    /// <summary>Every bad field with its message, so a client learns them all at once.</summary>
    public IDictionary<string, string[]> Errors { get; }

    public bool IsValid => Errors.Count == 0;

    public static ValueTask<QueryValues?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<QueryValues?>(Parse(context.GetEndpoint()?.Metadata.GetMetadata<QueryParameterTable>(), context.Request.Query));

    public static QueryValues Parse(QueryParameterTable? table, IQueryCollection query)
    {
        var values = new Dictionary<QueryParameter, object?>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var parameter in table?.Parameters ?? [])
        {
            var error = Parse(parameter, query.TryGetValue(parameter.Name, out var raw) ? raw : StringValues.Empty, out var value);
            if (error is null)
            {
                values[parameter] = value;
            }
            else
            {
                errors[parameter.Name] = [error];
            }
        }
        return new QueryValues(values, errors);
    }

    public int Get(IntQueryParameter parameter) => GetOptional(parameter) ?? throw NoDefault(parameter);

    public int? GetOptional(IntQueryParameter parameter) => (int?)Value(parameter);

    public T Get<T>(ChoiceQueryParameter<T> parameter) where T : notnull => (T)Value(parameter)!;

    public bool Get(BoolQueryParameter parameter) => (bool)Value(parameter)!;

    private object? Value(QueryParameter parameter) => IsValid && _values.TryGetValue(parameter, out var value)
        ? value
        : throw new InvalidOperationException($"'{parameter.Name}' is not a valid parameter of this endpoint's table.");

    private static string? Parse(QueryParameter parameter, StringValues raw, out object? value)
    {
        value = parameter.DefaultValue;
        return raw.Count switch
        {
            0 => null,
            1 when raw[0] is { Length: > 0 } one => parameter.TryParse(one, out value),
            1 => $"{parameter.Name} has no value; give one or leave the parameter out.",
            _ => $"{parameter.Name} is given {raw.Count} times; give it once.",
        };
    }

    private static InvalidOperationException NoDefault(QueryParameter parameter) =>
        new($"'{parameter.Name}' has no default; read it with {nameof(GetOptional)}.");
}
