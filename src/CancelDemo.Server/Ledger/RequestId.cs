namespace CancelDemo.Server.Ledger;

/// <summary>The X-Request-Id a client may send: used as the ledger id and echoed back.</summary>
public static class RequestId
{
    public const string Header = "X-Request-Id";

    /// <summary>The calling hop's X-Request-Id, sent by /chain to the next hop.</summary>
    public const string ParentHeader = "X-Parent-Request-Id";
    public const int MaxLength = 128;

    public static bool IsValid(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
