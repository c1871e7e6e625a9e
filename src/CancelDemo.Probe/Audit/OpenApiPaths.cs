using System.Globalization;
using System.Text.Json;

namespace CancelDemo.Probe.Audit;

/// <summary>
/// The GET endpoints of an app's OpenAPI document that can be called as they are: every path parameter, and every
/// required query parameter, has a default or an example. The ledger's own endpoints are left out.
/// </summary>
public static class OpenApiPaths
{
    public static IReadOnlyList<string> From(JsonElement document, out IReadOnlyList<string> skipped)
    {
        var paths = new List<string>();
        var left = new List<string>();
        if (!document.TryGetProperty("paths", out var all))
        {
            skipped = left;
            return paths;
        }
        foreach (var path in all.EnumerateObject())
        {
            if (path.Name.StartsWith("/requests", StringComparison.OrdinalIgnoreCase) || !path.Value.TryGetProperty("get", out var get))
            {
                continue;
            }
            var concrete = path.Name;
            var query = new List<string>();
            var missing = new List<string>();
            var parameters = (get.TryGetProperty("parameters", out var p) ? p.EnumerateArray() : default).Concat(
                path.Value.TryGetProperty("parameters", out var shared) ? shared.EnumerateArray() : default);
            foreach (var parameter in parameters)
            {
                var name = parameter.GetProperty("name").GetString()!;
                var where = parameter.TryGetProperty("in", out var i) ? i.GetString() : "query";
                var required = where == "path" || (parameter.TryGetProperty("required", out var r) && r.GetBoolean());
                var value = Value(parameter);
                if (value is null)
                {
                    if (required)
                    {
                        missing.Add(name);
                    }
                    continue;
                }
                if (where == "path")
                {
                    concrete = concrete.Replace($"{{{name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal);
                }
                else if (where == "query" && required)
                {
                    query.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
                }
            }
            if (missing.Count > 0)
            {
                left.Add($"{path.Name} (no default or example for {string.Join(", ", missing)})");
                continue;
            }
            paths.Add(query.Count == 0 ? concrete : $"{concrete}?{string.Join('&', query)}");
        }
        skipped = left;
        return paths;
    }

    /// <summary>The parameter's example, its schema's default or example, or the first of its examples.</summary>
    private static string? Value(JsonElement parameter)
    {
        if (parameter.TryGetProperty("example", out var example))
        {
            return Text(example);
        }
        if (parameter.TryGetProperty("schema", out var schema))
        {
            if (schema.TryGetProperty("default", out var d))
            {
                return Text(d);
            }
            if (schema.TryGetProperty("example", out var e))
            {
                return Text(e);
            }
        }
        if (parameter.TryGetProperty("examples", out var examples) && examples.ValueKind == JsonValueKind.Object)
        {
            foreach (var first in examples.EnumerateObject())
            {
                return first.Value.TryGetProperty("value", out var v) ? Text(v) : null;
            }
        }
        return null;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
