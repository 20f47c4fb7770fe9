using Codecs.Pixels;
using Encoders.Rfb;
using Xunit;

namespace Server.Tests.Interop;

/// <summary>
/// libvncclient 0.9.14 (Debian's libvncserver-dev) through a tiny C client built by the test: 32, 16 and 8 bits per
/// pixel, both byte orders; its framebuffer must equal the held frame converted to its pixel format, byte for byte.
/// Also VNC authentication with the right and the wrong password.
/// </summary>
public sealed class LibVncClientTests
{
    private static readonly Lazy<Task<string>> s_client = new(BuildClientAsync);

    private static async Task<string> BuildClientAsync()
    {
        string gcc = InteropServer.RequireTool("/usr/bin/gcc");
        string source = Path.Combine(ToolRunner.RepositoryRoot, "Server", "tests", "Interop", "vnc_capture.c");
        string binary = Path.Combine(Path.GetTempPath(), $"vnc_capture-{Environment.ProcessId}");
        (int exit, string output) = await InteropServer.RunAsync(gcc, ["-O1", "-Wall", "-o", binary, source, "-lvncclient"], TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, "building the libvncclient client failed (libvncserver-dev from .ci/install-deps?): " + output);
        return binary;
    }

    public static TheoryData<int, bool, string> Formats => new()
    {
        { 32, false, "zrle" },
        { 32, false, "tight" },
        { 32, false, "hextile" },
        { 16, false, "zrle" },
        { 16, false, "tight" },
        { 16, false, "hextile" },
        { 8, false, "zrle" },
        { 8, false, "tight" },
        { 8, false, "rre" },
        { 32, true, "raw" },
        { 32, true, "zrle" },
        { 32, true, "hextile" },
        { 16, true, "zrle" },
        { 16, true, "tight" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task LibVncClient_PixelFormat_FramebufferEqualsTheFrame(int bitsPerPixel, bool bigEndian, string encoding)
    {
        string client = await s_client.Value;
        await using InteropServer server = await InteropServer.StartAsync("window-drag.fbt", 20);
        string output = Path.Combine(Path.GetTempPath(), $"libvnc-{Guid.NewGuid():N}.raw");
        (int exit, string log) = await InteropServer.RunAsync(
            client, ["127.0.0.1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), bitsPerPixel.ToString(System.Globalization.CultureInfo.InvariantCulture), bigEndian ? "1" : "0", encoding + " copyrect", output],
            TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, $"vnc_capture exited {exit}: {log}");
        PixelFormat format = bitsPerPixel switch
        {
            32 when bigEndian => new PixelFormat(32, 24, true, true, 255, 255, 255, 24, 16, 8),
            32 => PixelFormat.Rgbx32,
            16 => PixelFormat.Rgb565 with { BigEndian = bigEndian },
            _ => PixelFormat.Bgr233,
        };
        byte[] picture = await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken);
        File.Delete(output);

        RfbClientStatistics statistics = await server.WaitForFinishedClientAsync();
        Assert.Equal(format, statistics.PixelFormat);
        Assert.Equal("identical", InteropServer.Compare(format, server.Device.LatestFrame!.ConvertTo(format), picture, server.Device.Mode.Width));
    }

    /// <summary>
    /// Tight with the gradient filter on photos: 888 TPIXEL at 32 bpp (the byte-wise filter) and 16 bpp (the generic
    /// per-channel filter), both coded by <c>RunHuffmanDeflater</c>; libvncclient's zlib inflates them. libvncclient
    /// asks for JPEG by default, so the server is lossless-only here.
    /// </summary>
    [Theory]
    [InlineData(32)]
    [InlineData(16)]
    public async Task LibVncClient_TightGradient_FramebufferEqualsThePhotoFrame(int bitsPerPixel)
    {
        string client = await s_client.Value;
        await using InteropServer server = await InteropServer.StartAsync("photo-viewer.fbt", 12, new RfbServerOptions { TightGradient = true, AllowLossy = false });
        string output = Path.Combine(Path.GetTempPath(), $"libvnc-{Guid.NewGuid():N}.raw");
        (int exit, string log) = await InteropServer.RunAsync(
            client, ["127.0.0.1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), bitsPerPixel.ToString(System.Globalization.CultureInfo.InvariantCulture), "0", "tight", output],
            TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, $"vnc_capture exited {exit}: {log}");
        PixelFormat format = bitsPerPixel == 32 ? PixelFormat.Rgbx32 : PixelFormat.Rgb565;
        byte[] picture = await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken);
        File.Delete(output);

        RfbClientStatistics statistics = await server.WaitForFinishedClientAsync();
        Assert.True(statistics.TightGradientRectangles > 0, statistics.ToString());
        Assert.Equal("identical", InteropServer.Compare(format, server.Device.LatestFrame!.ConvertTo(format), picture, server.Device.Mode.Width));
    }

    [Theory]
    [InlineData("secret", true)]
    [InlineData("wrong", false)]
    public async Task LibVncClient_VncAuthentication_RightPasswordConnects_WrongIsRefused(string password, bool accepted)
    {
        string client = await s_client.Value;
        await using InteropServer server = await InteropServer.StartAsync("terminal-scroll.fbt", 3, new RfbServerOptions { Password = "secret" });
        string output = Path.Combine(Path.GetTempPath(), $"libvnc-{Guid.NewGuid():N}.raw");
        (int exit, string log) = await InteropServer.RunAsync(
            client, ["127.0.0.1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "32", "0", "zrle", output, password],
            TimeSpan.FromSeconds(90));
        RfbClientStatistics statistics = await server.WaitForFinishedClientAsync();
        if (accepted)
        {
            Assert.True(exit == 0, $"vnc_capture exited {exit}: {log}");
            Assert.Equal("VncAuth", statistics.Security);
            Assert.Equal("identical", InteropServer.Compare(PixelFormat.Rgbx32, server.Device.LatestFrame!.ConvertTo(PixelFormat.Rgbx32), await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken), server.Device.Mode.Width));
            File.Delete(output);
        }
        else
        {
            Assert.True(exit == 3, $"vnc_capture should fail authentication, exited {exit}: {log}");
            Assert.StartsWith("authentication failed", statistics.DisconnectReason, StringComparison.Ordinal);
        }
    }
}
