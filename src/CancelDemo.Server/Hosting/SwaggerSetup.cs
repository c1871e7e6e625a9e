using System.Text.Json.Nodes;
using CancelDemo.Server.Endpoints;
using CancelDemo.Server.Work;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CancelDemo.Server.Hosting;

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
            o.OperationFilter<QueryParameterFilter>();
        });

    public static WebApplication UseCancelDemoSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI();
        return app;
    }

    /// <summary>
    /// Query values are bound as text so every bad one can be reported; this gives Swagger their
    /// real types and ranges from the same table the validation uses.
    /// </summary>
    private sealed class QueryParameterFilter : IOperationFilter
    {
        private static readonly Dictionary<string, IntQueryParameter> Ints =
            WorkRequest.IntParameters.Concat(TransferApi.IntParameters).Append(LedgerApi.LimitParameter).ToDictionary(p => p.Name);

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Name is { } name && Ints.TryGetValue(name, out var spec))
                {
                    parameter.Description = $"{spec.Description} {spec.Min}–{spec.Max}" + (spec.Default is { } d ? $", default {d}." : ", optional.");
                    parameter.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Integer,
                        Format = "int32",
                        Minimum = spec.Min.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Maximum = spec.Max.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Default = spec.Default is { } value ? JsonValue.Create(value) : null,
                    };
                }
                else if (parameter.Name == "work")
                {
                    parameter.Description = WorkRequest.WorkDescription;
                    parameter.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Enum = [JsonValue.Create("delay"), JsonValue.Create("cpu")],
                        Default = JsonValue.Create("delay"),
                    };
                }
            }
        }
    }
}
