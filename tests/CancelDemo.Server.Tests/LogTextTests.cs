using CancelDemo.Server.Diagnostics;

namespace CancelDemo.Server.Tests;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("/http1", "/http1")]
    [InlineData("/x\r\n[00:00:00.000 ERR] forged", @"/x\r\n[00:00:00.000 ERR] forged")]
    [InlineData("a\\b\tc", @"a\\b\tc")]
    [InlineData("\u001b[31mred", @"\u001b[31mred")]
    [InlineData("line\u2028sep\u0085", @"line\u2028sep\u0085")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void EscapesWhatCouldForgeOrColourALine(string? text, string expected) => Assert.Equal(expected, LogText.Escape(text));

    [Fact]
    public void CleanTextIsReturnedAsItIsWithoutAllocating()
    {
        // Every request's summary line escapes its path, method, protocol and id: the common case is clean.
        const string path = "/http1";
        LogText.Escape(path); // the first call may JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        var escaped = LogText.Escape(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(path, escaped);
        Assert.Equal(0, allocated);
    }
}
