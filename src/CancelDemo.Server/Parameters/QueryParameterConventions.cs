using Microsoft.AspNetCore.Http.Metadata;

namespace CancelDemo.Server.Parameters;

/// <summary>The query parameters an endpoint accepts, as endpoint metadata: validation and Swagger both read it.</summary>
public sealed record QueryParameterTable(IReadOnlyList<QueryParameter> Parameters);

public static class QueryParameterConventions
{
    /// <summary>
    /// Declares the endpoint's query parameters: requests with a bad value get a 400 ProblemDetails naming
    /// every bad field before the handler runs, and Swagger documents each parameter from the same table.
    /// </summary>
    public static TBuilder WithQueryParameters<TBuilder>(this TBuilder builder, params QueryParameter[] parameters)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(
            new QueryParameterTable(parameters),
            new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
        return builder.AddEndpointFilter(new QueryValidationFilter());
    }

    private sealed class QueryValidationFilter : IEndpointFilter
    {
        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var query = context.Arguments.OfType<QueryValues>().FirstOrDefault()
                ?? QueryValues.Parse(http.GetEndpoint()?.Metadata.GetMetadata<QueryParameterTable>(), http.Request.Query);
            return query.IsValid ? next(context) : ValueTask.FromResult<object?>(TypedResults.ValidationProblem(query.Errors));
        }
    }
}
