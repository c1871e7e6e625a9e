using CancelDemo.AspNetCore;

// A plain endpoint, with the cancellation audit (--audit) or without it; no logging either way.
var audit = args.Contains("--audit");
var builder = WebApplication.CreateSlimBuilder(args.Where(a => a != "--audit").ToArray());
builder.Logging.ClearProviders();
if (audit)
{
    builder.Services.AddCancellationAudit();
}
var app = builder.Build();
app.MapGet("/plain", () => "ok");
// What the process has allocated so far: the benchmark reads it before and after a load.
app.MapGet("/allocated", () => GC.GetTotalAllocatedBytes(precise: true));
if (audit)
{
    app.MapCancellationAudit();
}
app.Run();
