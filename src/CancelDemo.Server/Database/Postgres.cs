using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CancelDemo.Server.Database;

/// <summary>
/// The PostgreSQL server named by ConnectionStrings:Postgres, or none: one pooled Npgsql data source (logging
/// through the server's loggers) and the EF Core options that use it.
/// </summary>
public sealed class Postgres : IAsyncDisposable
{
    public const string ConnectionStringName = "Postgres";
    private readonly DbContextOptions<QueryDbContext>? _efOptions;

    public Postgres(IConfiguration configuration, ILoggerFactory loggers)
    {
        if (configuration.GetConnectionString(ConnectionStringName) is not { Length: > 0 } connectionString)
        {
            return;
        }
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseLoggerFactory(loggers);
        DataSource = builder.Build();
        _efOptions = new DbContextOptionsBuilder<QueryDbContext>()
            .UseNpgsql(DataSource)
            .UseLoggerFactory(loggers)
            .Options;
    }

    public NpgsqlDataSource? DataSource { get; }

    public bool IsConfigured => DataSource is not null;

    /// <summary>A fresh EF Core context over the same pool.</summary>
    public QueryDbContext NewContext() => new(_efOptions ?? throw new InvalidOperationException("No database is configured."));

    public ValueTask DisposeAsync() => DataSource?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>EF Core's view of the database: no entities, only raw SQL through the same pool.</summary>
public sealed class QueryDbContext(DbContextOptions<QueryDbContext> options) : DbContext(options);

public static class DatabaseServices
{
    /// <summary>The configured PostgreSQL and the runner of /query's statements.</summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services) =>
        services.AddSingleton<Postgres>().AddSingleton<QueryRunner>();
}
