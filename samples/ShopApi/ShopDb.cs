using Microsoft.EntityFrameworkCore;

namespace ShopApi;

public sealed class Order
{
    public int Id { get; set; }

    public string Customer { get; set; } = "";

    public decimal Total { get; set; }
}

/// <summary>One export row: an order number and a checksum of it.</summary>
public sealed record ExportRow(int Id, string Hash);

public sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Order>().ToTable("shop_orders");

    /// <summary>The shop's table and a few orders, at start-up.</summary>
    public static async Task EnsureSeededAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        await db.Database.ExecuteSqlRawAsync("""
            CREATE TABLE IF NOT EXISTS shop_orders ("Id" int PRIMARY KEY, "Customer" text NOT NULL, "Total" numeric NOT NULL);
            INSERT INTO shop_orders VALUES (1, 'Ada', 42.50), (2, 'Grace', 17.00), (3, 'Edsger', 99.90) ON CONFLICT DO NOTHING;
            """);
    }
}
