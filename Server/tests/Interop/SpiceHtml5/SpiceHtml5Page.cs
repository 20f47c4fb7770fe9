using System.Globalization;
using Microsoft.Playwright;
using Xunit;

namespace Server.Tests.Interop.SpiceHtml5;

/// <summary>
/// Debian's spice-html5 (package spice-html5, /usr/share/spice-html5) in Debian's Chromium (headless, through
/// Playwright). No HTTP server: requests to the page's origin are fulfilled from disk, and the page's WebSockets go
/// straight to the SPICE server's port (its native WebSocket).
/// </summary>
internal sealed class SpiceHtml5Page : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string SpiceHtml5Directory = "/usr/share/spice-html5";
    private const string Origin = "https://spice.test/";
    private const string TestPagePath = "test.html";

    // Our page: spice-html5's SpiceMainConn on the server's port, errors collected, and the primary surface's canvas
    // read back as "WxH:" + base64 of its RGBA bytes (null until SURFACE_CREATE made it).
    private const string TestPage = """
        <!doctype html>
        <html>
        <head>
        <script type="module">
        import * as SpiceHtml5 from './main.js';
        const query = new URLSearchParams(location.search);
        window.spiceErrors = [];
        window.spice = new SpiceHtml5.SpiceMainConn({
            uri: 'ws://127.0.0.1:' + query.get('port'),
            screen_id: 'screen',
            message_id: 'messages',
            password: query.get('password'),
            onerror: e => window.spiceErrors.push(String(e && e.message ? e.message : e)),
        });
        window.readCanvas = () => {
            const canvas = document.getElementById('spice_surface_0');
            if (!canvas) return null;
            const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let binary = '';
            for (let i = 0; i < rgba.length; i += 0x8000) {
                binary += String.fromCharCode.apply(null, rgba.subarray(i, i + 0x8000));
            }
            return canvas.width + 'x' + canvas.height + ':' + btoa(binary);
        };
        </script>
        </head>
        <body style="margin: 0">
        <div id="screen"></div>
        <div id="messages" style="display: none"></div>
        </body>
        </html>
        """;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private SpiceHtml5Page(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Fails (never skips) when Chromium or spice-html5 is missing.</summary>
    public static async Task<SpiceHtml5Page> OpenAsync(int port, string password)
    {
        InteropServer.RequireTool(ChromiumPath);
        InteropServer.RequireTool(Path.Combine(SpiceHtml5Directory, "main.js"));
        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        // Chromium's Local Network Access checks block a WebSocket from a public page to 127.0.0.1
        // (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS, "Connection refused." in spice-html5). The permission can
        // only be granted to a secure context, hence the https origin; ws:// to loopback is not mixed content.
        IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 2000, Height = 1200 },
            Permissions = ["local-network-access"],
        });
        IPage page = await context.NewPageAsync();
        page.Console += (_, message) => Console.Error.WriteLine(message.Text);
        await page.RouteAsync(Origin + "**", FulfillFromDiskAsync);
        string query = $"?port={port.ToString(CultureInfo.InvariantCulture)}&password={Uri.EscapeDataString(password)}";
        await page.GotoAsync(Origin + TestPagePath + query);
        return new SpiceHtml5Page(playwright, browser, page);
    }

    private static async Task FulfillFromDiskAsync(IRoute route)
    {
        string path = new Uri(route.Request.Url).AbsolutePath.TrimStart('/');
        if (path == TestPagePath)
        {
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html", Body = TestPage });
            return;
        }

        string file = Path.GetFullPath(Path.Combine(SpiceHtml5Directory, path));
        if (!file.StartsWith(SpiceHtml5Directory + "/", StringComparison.Ordinal) || !File.Exists(file))
        {
            await route.FulfillAsync(new RouteFulfillOptions { Status = 404 });
            return;
        }

        // Module scripts are only run with a JavaScript MIME type.
        string type = Path.GetExtension(file) switch
        {
            ".js" => "text/javascript",
            ".css" => "text/css",
            ".html" => "text/html",
            _ => "application/octet-stream",
        };
        await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = type, BodyBytes = await File.ReadAllBytesAsync(file) });
    }

    /// <summary>Errors spice-html5 reported through onerror ("Permission denied." for a wrong ticket).</summary>
    public Task<string[]> ErrorsAsync() => Page.EvaluateAsync<string[]>("() => window.spiceErrors");

    /// <summary>The primary surface's canvas as packed RGBA, or null before spice-html5 created it.</summary>
    public async Task<(byte[] Rgba, int Width, int Height)?> ReadCanvasAsync()
    {
        string? encoded = await Page.EvaluateAsync<string?>("() => window.readCanvas ? window.readCanvas() : null");
        if (encoded is null)
        {
            return null;
        }

        int colon = encoded.IndexOf(':', StringComparison.Ordinal);
        string[] size = encoded[..colon].Split('x');
        return (Convert.FromBase64String(encoded[(colon + 1)..]), int.Parse(size[0], CultureInfo.InvariantCulture), int.Parse(size[1], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Reads the canvas until it equals the device's latest frame (colour only; the canvas's alpha is ignored):
    /// spice-html5 draws as messages arrive, so the picture converges. Fails with the last difference after 60 s.
    /// </summary>
    public async Task WaitForFrameAsync(SteppedTraceDevice device)
    {
        string last = "no canvas";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                if (await ReadCanvasAsync() is { } canvas)
                {
                    last = Difference(device, canvas.Rgba, canvas.Width, canvas.Height);
                    if (last == "identical")
                    {
                        return;
                    }
                }

                await Task.Delay(250, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            string[] errors = await ErrorsAsync();
            Assert.Fail($"spice-html5's canvas never showed the served frame: {last}; errors: [{string.Join("; ", errors)}]");
        }
    }

    private static string Difference(SteppedTraceDevice device, byte[] rgba, int width, int height)
    {
        if (width != device.Width || height != device.Height)
        {
            return $"canvas is {width}x{height}, frame is {device.Width}x{device.Height}";
        }

        byte[] frame = device.Frame;
        int differing = 0;
        int first = -1;
        for (int i = 0; i < frame.Length; i += 4)
        {
            if (rgba[i] != frame[i + 2] || rgba[i + 1] != frame[i + 1] || rgba[i + 2] != frame[i])
            {
                differing++;
                first = first < 0 ? i / 4 : first;
            }
        }

        return differing == 0 ? "identical" : $"{differing} pixels differ, first at ({first % width}, {first / width})";
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
