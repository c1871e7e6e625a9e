namespace CancelDemo.AspNetCore;

/// <summary>The request's id, as the app settled it (for example from a validated X-Request-Id), and the calling hop's id.</summary>
public sealed record RequestIdFeature(string Id, string? ParentId);

/// <summary>
/// X-Request-Id, the id a client may send: the ledger's id for the request, echoed back. X-Parent-Request-Id names the
/// request of the calling service, for a downstream hop.
/// </summary>
public static class RequestIds
{
    /// <summary>The client's id for its request.</summary>
    public const string Header = "X-Request-Id";

    /// <summary>The calling service's request id, sent with a downstream call.</summary>
    public const string ParentHeader = "X-Parent-Request-Id";

    /// <summary>The longest id accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>1 to 128 characters: ASCII letters, digits, '-', '_', '.' or ':'.</summary>
    public static bool IsValid(string value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The request's id: the app's <see cref="RequestIdFeature"/> if it set one, else a valid X-Request-Id, else the
    /// server's own request id (a malformed header is not this package's to refuse); and the parent's, if valid.
    /// </summary>
    public static (string Id, string? ParentId) Of(HttpContext context)
    {
        if (context.Features.Get<RequestIdFeature>() is { } feature)
        {
            return (feature.Id, feature.ParentId);
        }
        var headers = context.Request.Headers;
        var sent = headers[Header];
        var parent = headers[ParentHeader];
        return (sent.Count == 1 && IsValid(sent.ToString()) ? sent.ToString() : context.TraceIdentifier,
            parent.Count == 1 && IsValid(parent.ToString()) ? parent.ToString() : null);
    }
}
