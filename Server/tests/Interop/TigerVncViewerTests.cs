using Encoders.Rfb;
using TestSupport;
using Xunit;

namespace Server.Tests.Interop;

/// <summary>
/// TigerVNC's vncviewer 1.12 on an Xvfb screen (no window manager, so no decorations): the viewer window's area of a
/// root-window screenshot (found with xwininfo) must equal the held trace frame, for Tight (lossless, JPEG off) and
/// ZRLE. The viewer negotiates continuous updates and fences, so those paths run too.
/// </summary>
public sealed class TigerVncViewerTests
{
    /// <summary>
    /// Tight and ZRLE on a window drag; and Tight with the gradient filter on photos, where the photographs go through
    /// the filter and <c>RunHuffmanDeflater</c> (TigerVNC's zlib inflates that stream).
    /// </summary>
    [Theory]
    [InlineData("Tight", "Tight", false)]
    [InlineData("ZRLE", "ZRLE", false)]
    [InlineData("Tight", "Tight", true)]
    public async Task Vncviewer_UnderXvfb_ScreenshotEqualsTheFrame(string preferred, string expectedEncoding, bool tightGradient)
    {
        InteropServer.RequireTool("/usr/bin/Xvfb");
        string viewer = InteropServer.RequireTool("/usr/bin/vncviewer");
        string import = InteropServer.RequireTool("/usr/bin/import");
        await using InteropServer server = tightGradient
            ? await InteropServer.StartAsync("photo-viewer.fbt", 12, new RfbServerOptions { TightGradient = true })
            : await InteropServer.StartAsync("window-drag.fbt", 20);
        string home = Directory.CreateTempSubdirectory("vncviewer-home").FullName;
        // A screen larger than the framebuffer, so the whole viewer window fits wherever it is placed.
        using XvfbDisplay x = XvfbDisplay.Start(server.Device.Mode.Width + 128, server.Device.Mode.Height + 200);
        using ClientProcess vnc = Start(
            viewer,
            [
                "-display", x.Name, $"-PreferredEncoding={preferred}", "-AutoSelect=0", "-FullColor=1", "-NoJPEG=1",
                "-SecurityTypes=None", "-RemoteResize=0", "-Shared=1", "-geometry", $"{server.Device.Mode.Width}x{server.Device.Mode.Height}+0+0",
                $"127.0.0.1::{server.Port}",
            ],
            home,
            delayMs: 500);
        try
        {
            string png = Path.Combine(home, "screen.png");
            string result = "no screenshot";
            for (int attempt = 0; attempt < 30 && result != "identical"; attempt++)
            {
                await Task.Delay(1000, TestContext.Current.CancellationToken);
                Assert.False(vnc.HasExited, "vncviewer exited: " + vnc.Errors);
                if (server.Host.Server.Clients is not [{ Updates: > 0 }])
                {
                    continue;
                }

                (int exit, string log) = await InteropServer.RunAsync(import, ["-display", x.Name, "-window", "root", png], TimeSpan.FromSeconds(30));
                Assert.True(exit == 0, "import failed: " + log);
                (int left, int top) = await FindViewerWindowAsync(x.Name, server.Device.Mode.Width, server.Device.Mode.Height);
                (byte[] rgb, string convertLog) = await InteropServer.ReadRgbAsync(png, $"{server.Device.Mode.Width}x{server.Device.Mode.Height}+{left}+{top}");
                result = rgb.Length == 0 ? "convert failed: " + convertLog : InteropServer.Compare(server.Device.LatestFrame!.ToRgb24(), rgb, server.Device.Mode.Width, 3);
            }

            if (result != "identical")
            {
                // Keep the evidence for whoever reads the CI log.
                string kept = Directory.CreateTempSubdirectory("rfb-interop-failure").FullName;
                File.Copy(png, Path.Combine(kept, "screen.png"));
                await File.WriteAllBytesAsync(Path.Combine(kept, "expected.rgb"), server.Device.LatestFrame!.ToRgb24(), TestContext.Current.CancellationToken);
                result += $" (screenshot and expected RGB kept in {kept})";
            }

            Assert.Equal("identical", result);
            RfbClientStatistics client = Assert.Single(server.Host.Server.Clients);
            Assert.Equal(expectedEncoding, client.Encoding);
            if (tightGradient)
            {
                Assert.True(client.TightGradientRectangles > 0, client.ToString());
            }
        }
        finally
        {
            vnc.Dispose();
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Where the viewer's framebuffer-sized window is on the screen (xwininfo, absolute position).</summary>
    internal static async Task<(int Left, int Top)> FindViewerWindowAsync(string display, int width, int height)
    {
        string xwininfo = InteropServer.RequireTool("/usr/bin/xwininfo");
        (int exit, string tree) = await InteropServer.RunAsync(xwininfo, ["-display", display, "-root", "-tree"], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, "xwininfo failed: " + tree);
        // Lines end with "WxH+x+y  +absX+absY".
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(tree, @"(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)"))
        {
            if (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == width &&
                int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) == height)
            {
                return (int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return (0, 0);
    }

    /// <summary>Starts a viewer with its own HOME (TigerVNC writes its settings there) and gives it time to connect.</summary>
    internal static ClientProcess Start(string fileName, string[] arguments, string home, int delayMs = 1000, IReadOnlyDictionary<string, string>? environment = null)
    {
        ClientProcess process = ClientProcess.Start(fileName, arguments, new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["HOME"] = home });
        Thread.Sleep(delayMs);
        return process;
    }
}
