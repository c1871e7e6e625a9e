using Microsoft.Extensions.FileProviders;

namespace CancelDemo.Server.Web;

public static class SamplePage
{
    /// <summary>
    /// Serves the sample page (wwwroot, embedded in the assembly) at /: the same files wherever the server
    /// is started from, with no web root folder to find.
    /// </summary>
    public static WebApplication UseSamplePage(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(SamplePage).Assembly, "CancelDemo.Server.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
