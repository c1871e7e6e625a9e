using System.Globalization;

namespace CancelDemo.Probe;

/// <summary>"2s", "500ms", "1.5s", "1m" or a TimeSpan ("00:00:02").</summary>
public static class Durations
{
    public static TimeSpan? Parse(string text, Action<string> error)
    {
        var t = text.Trim().ToLowerInvariant();
        (string Suffix, double Scale)[] units = [("ms", 1), ("s", 1000), ("m", 60_000)];
        foreach (var (suffix, scale) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                return TimeSpan.FromMilliseconds(n * scale);
            }
        }
        if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span;
        }
        error($"'{text}' is not a duration; use e.g. 2s, 500ms or 1.5s.");
        return null;
    }
}
