using System.Reflection;
using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Http.Metadata;

namespace CancelDemo.Server.Endpoints;

/// <summary>The body of a 499: what the server records when the client gave up.</summary>
public sealed record ClientDisconnected(string Error, int IterationsCompleted);

/// <summary>
/// 499 Client Closed Request (nginx's code, as in the seed). The client is gone, so it will almost
/// never read this; it is written for the ledger, the logs and any proxy still listening.
/// </summary>
public sealed class ClientClosedResult(int iterationsCompleted) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ClientDisconnected>, IEndpointMetadataProvider
{
    public ClientDisconnected Value { get; } = new("Client has disconnected", iterationsCompleted);

    int? IStatusCodeHttpResult.StatusCode => OutcomeRules.ClientClosedRequest;

    object? IValueHttpResult.Value => Value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = OutcomeRules.ClientClosedRequest;
        // Not RequestAborted: it has fired, and the write to a closed connection is a no-op anyway.
        return httpContext.Response.WriteAsJsonAsync(Value, CancellationToken.None);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(OutcomeRules.ClientClosedRequest, typeof(ClientDisconnected), ["application/json"]));
}
