using Codecs.Rfb;
using Encoders.Rfb;
using Xunit;

namespace Server.Tests.Interop;

/// <summary>
/// gtk-vnc's gvnccapture (no Tight, native pixel format, saves the picture as soon as the bottom-right corner is
/// drawn): the server offers one encoding at a time, and the PNG must equal the held trace frame pixel for pixel.
/// </summary>
public sealed class GvncCaptureTests
{
    [Theory]
    [InlineData(RfbEncoding.Raw, "Raw")]
    [InlineData(RfbEncoding.Rre, "RRE")]
    [InlineData(RfbEncoding.Hextile, "Hextile")]
    [InlineData(RfbEncoding.Zrle, "ZRLE")]
    public async Task Gvnccapture_EachEncoding_PngEqualsTheFrame(int encoding, string name)
    {
        string gvnccapture = InteropServer.RequireTool("/usr/bin/gvnccapture");
        await using InteropServer server = await InteropServer.StartAsync("terminal-scroll.fbt", 12, new RfbServerOptions { Encodings = [encoding] });
        string png = Path.Combine(Path.GetTempPath(), $"gvnccapture-{name}-{Guid.NewGuid():N}.png");
        (int exit, string output) = await InteropServer.RunAsync(gvnccapture, [$"127.0.0.1:{server.Display}", png], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"gvnccapture exited {exit}: {output}");
        (byte[] rgb, string log) = await InteropServer.ReadRgbAsync(png);
        Assert.True(rgb.Length > 0, "convert failed: " + log);
        Assert.Equal("identical", InteropServer.Compare(server.Device.LatestFrame!.ToRgb24(), rgb, server.Device.Mode.Width, 3));
        RfbClientStatistics client = await server.WaitForFinishedClientAsync();
        Assert.Equal(name, client.Encoding);
        Assert.True(client.RectanglesByEncoding.ContainsKey(name), string.Join(",", client.RectanglesByEncoding.Keys));
        File.Delete(png);
        File.Delete(png + ".rgb");
    }
}
