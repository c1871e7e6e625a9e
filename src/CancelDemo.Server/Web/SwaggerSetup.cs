using System.Text.Json.Nodes;
using CancelDemo.Server.Parameters;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CancelDemo.Server.Web;

public static class SwaggerSetup
{
    public static IServiceCollection AddCancelDemoSwagger(this IServiceCollection services) =>
        services.AddEndpointsApiExplorer().AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "CancelDemo",
                Version = "v1",
                Description = "Does the server notice when the client gives up, and does the work stop? " +
                              "A client abort is recorded as 499; the ledger shows what the server saw.",
            });
            o.OperationFilter<QueryParameterDocs>();
            o.DocumentFilter<HealthDocs>();
        });

    /// <summary>
    /// The document (/swagger/v1/swagger.json) and the UI (/swagger), on a branch that only requests under /swagger
    /// take: Swashbuckle's middleware builds its generator for every request it sees and matches every path against
    /// the UI's pattern, work that a storm of aborts would otherwise pay a thousand times.
    /// </summary>
    public static WebApplication UseCancelDemoSwagger(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase), swagger =>
        {
            swagger.UseSwagger();
            swagger.UseSwaggerUI();
        });
        return app;
    }

    /// <summary>
    /// /healthz is ASP.NET Core's health-check endpoint, which API Explorer does not see (it has no handler method):
    /// described here, with both of its answers.
    /// </summary>
    private sealed class HealthDocs : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            var text = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
            var operation = new OpenApiOperation
            {
                OperationId = "Health",
                Summary = "The server's health: 'Healthy'.",
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse { Description = "Healthy", Content = text },
                    ["503"] = new OpenApiResponse { Description = "Unhealthy", Content = text },
                },
            };
            document.Paths ??= [];
            document.Paths["/healthz"] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
        }
    }

    /// <summary>
    /// Documents each endpoint's query parameters from its own table (the endpoint metadata that also
    /// validates them), so a new endpoint describes itself.
    /// </summary>
    private sealed class QueryParameterDocs : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var table = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<QueryParameterTable>().LastOrDefault();
            if (table is null)
            {
                return;
            }
            operation.Parameters ??= [];
            foreach (var parameter in table.Parameters)
            {
                operation.Parameters.Add(Describe(parameter));
            }
        }

        private static OpenApiParameter Describe(QueryParameter parameter)
        {
            var schema = parameter.Schema;
            var range = schema.Minimum is { } min && schema.Maximum is { } max ? $" {min}–{max}" : "";
            return new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Query,
                Required = false,
                Description = $"{parameter.Description}{range}" + (schema.Default is { } d ? $", default {d}." : ", optional."),
                Schema = new OpenApiSchema
                {
                    Type = schema.Type switch { "integer" => JsonSchemaType.Integer, "boolean" => JsonSchemaType.Boolean, _ => JsonSchemaType.String },
                    Format = schema.Type == "integer" ? "int32" : null,
                    Minimum = schema.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Maximum = schema.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Enum = schema.Names is { } names ? [.. names.Select(n => (JsonNode)JsonValue.Create(n))] : null,
                    Default = schema.Default is null ? null : schema.Type switch
                    {
                        "integer" => JsonValue.Create(int.Parse(schema.Default, System.Globalization.CultureInfo.InvariantCulture)),
                        "boolean" => JsonValue.Create(schema.Default == "true"),
                        _ => JsonValue.Create(schema.Default),
                    },
                },
            };
        }
    }
}
