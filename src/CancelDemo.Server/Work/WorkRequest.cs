using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Work;

/// <summary>How each step of the costly operation spends its time.</summary>
public enum WorkKind
{
    /// <summary>A timer: the step waits and uses no CPU.</summary>
    Delay,

    /// <summary>Busy computation that checks the token as it goes.</summary>
    Cpu,
}

/// <summary>The raw query of /http1 and /http2, bound as text so every bad value can be reported.</summary>
public sealed record WorkQuery(
    [property: FromQuery(Name = "iterations")] string? Iterations,
    [property: FromQuery(Name = "stepMs")] string? StepMs,
    [property: FromQuery(Name = "work")] string? Work,
    [property: FromQuery(Name = "timeoutMs")] string? TimeoutMs);

/// <summary>A validated request for the costly-operation loop.</summary>
public sealed record WorkRequest(int Iterations, TimeSpan Step, WorkKind Kind, TimeSpan? Timeout)
{
    public static readonly IntQueryParameter IterationsParameter =
        new("iterations", 1, 1000, 10, "How many steps the costly operation runs.");

    public static readonly IntQueryParameter StepMsParameter =
        new("stepMs", 1, 60_000, 1000, "How long each step takes, in milliseconds.");

    public static readonly IntQueryParameter TimeoutMsParameter =
        new("timeoutMs", 1, 3_600_000, null, "Server-side timeout in milliseconds; when it passes first the request ends with 504.");

    public const string WorkDescription = "How a step spends its time: 'delay' (a timer) or 'cpu' (busy compute that checks the token).";

    public static IReadOnlyList<IntQueryParameter> IntParameters { get; } = [IterationsParameter, StepMsParameter, TimeoutMsParameter];

    public static WorkRequest? Parse(WorkQuery query, QueryErrors errors)
    {
        var iterations = errors.Parse(IterationsParameter, query.Iterations);
        var stepMs = errors.Parse(StepMsParameter, query.StepMs);
        var timeoutMs = errors.Parse(TimeoutMsParameter, query.TimeoutMs);
        var kind = WorkKind.Delay;
        if (!string.IsNullOrWhiteSpace(query.Work) && !Enum.TryParse(query.Work, ignoreCase: true, out kind))
        {
            errors.Add("work", $"'{query.Work}' is not a kind of work; use 'delay' or 'cpu'.");
        }
        if (errors.Any)
        {
            return null;
        }
        return new WorkRequest(
            iterations!.Value,
            TimeSpan.FromMilliseconds(stepMs!.Value),
            kind,
            timeoutMs is { } t ? TimeSpan.FromMilliseconds(t) : null);
    }
}
