using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CancelDemo.Server.Web;

public static class JsonSetup
{
    public static IServiceCollection AddCancelDemoJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => Apply(o.SerializerOptions));

    /// <summary>camelCase enums and UTC times with microseconds, for the server and its clients alike.</summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new UtcMicrosecondsConverter());
        return options;
    }

    /// <summary>ISO-8601 UTC with exactly six fractional digits: 2026-11-22T01:10:24.123456Z.</summary>
    public sealed class UtcMicrosecondsConverter : JsonConverter<DateTimeOffset>
    {
        private const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
