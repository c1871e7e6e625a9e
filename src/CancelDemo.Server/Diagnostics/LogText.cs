using System.Globalization;
using System.Text;

namespace CancelDemo.Server.Diagnostics;

/// <summary>
/// Client-supplied text made safe for a log line: control characters (CR and LF above all), the Unicode
/// line and paragraph separators and backslashes are written as escapes, so a request can never start a
/// line of its own ("[00:00:00.000 ERR] forged") or colour the terminal. Nothing is dropped.
/// </summary>
public static class LogText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || !AnyNeedsEscape(text))
        {
            return text ?? "";
        }
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!NeedsEscape(c))
            {
                escaped.Append(c);
                continue;
            }
            escaped.Append(c switch
            {
                '\\' => @"\\",
                '\r' => @"\r",
                '\n' => @"\n",
                '\t' => @"\t",
                _ => @"\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
        return escaped.ToString();
    }

    private static bool AnyNeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (NeedsEscape(c))
            {
                return true;
            }
        }
        return false;
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\\' or '\u2028' or '\u2029' or '\u0085';
}
