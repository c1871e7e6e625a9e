using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CancelDemo.AspNetCore;

/// <summary>The ledger's JSON, whatever the app's own JSON settings: camelCase, enums as camelCase names, UTC times with microseconds.</summary>
public static class AuditJson
{
    /// <summary>The options the ledger's endpoints write with (and a reader of them may read with).</summary>
    public static JsonSerializerOptions Options { get; } = Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The ledger's conventions added to <paramref name="options"/> (an app may use them for its own endpoints).</summary>
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

        /// <inheritdoc/>
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        /// <inheritdoc/>
        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
