using System.Text.Json;

namespace CancelDemo.Server.Web;

public static class JsonSetup
{
    public static IServiceCollection AddCancelDemoJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => Apply(o.SerializerOptions));

    /// <summary>The ledger's conventions (camelCase enums, UTC times with microseconds), for the server and its clients alike.</summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options) => AuditJson.Apply(options);
}
