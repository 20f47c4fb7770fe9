using System.Collections.Concurrent;
using System.Globalization;
using Damage.Device;
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

    // Our page: spice-html5's SpiceMainConn on the server's port, errors collected, and a comparison of the primary
    // surface's canvas with an expected B,G,R,X frame done in the page (so polling moves no pixels over CDP).
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
        window.hasCanvas = () => document.getElementById('spice_surface_0') !== null;
        window.setExpected = (width, height, bgrxBase64) => {
            const binary = atob(bgrxBase64);
            const bytes = new Uint8Array(binary.length);
            for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
            window.expected = { width, height, bytes };
        };
        window.compareCanvas = () => {
            const canvas = document.getElementById('spice_surface_0');
            const expected = window.expected;
            if (!canvas) return 'no canvas';
            if (canvas.width !== expected.width || canvas.height !== expected.height)
                return `canvas is ${canvas.width}x${canvas.height}, frame is ${expected.width}x${expected.height}`;
            const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            const bgrx = expected.bytes;
            let differing = 0, first = -1;
            for (let i = 0; i < bgrx.length; i += 4) {
                if (rgba[i] !== bgrx[i + 2] || rgba[i + 1] !== bgrx[i + 1] || rgba[i + 2] !== bgrx[i]) {
                    if (first < 0) first = i / 4;
                    differing++;
                }
            }
            return differing === 0 ? 'identical'
                : `${differing} pixels differ, first at (${first % canvas.width}, ${Math.floor(first / canvas.width)})`;
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
    private readonly ConcurrentQueue<string> _console;

    private SpiceHtml5Page(IPlaywright playwright, IBrowser browser, IPage page, ConcurrentQueue<string> console)
    {
        _console = console;
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
        var console = new ConcurrentQueue<string>();
        page.Console += (_, message) => console.Enqueue(message.Text);
        await page.RouteAsync(Origin + "**", FulfillFromDiskAsync);
        string query = $"?port={port.ToString(CultureInfo.InvariantCulture)}&password={Uri.EscapeDataString(password)}";
        await page.GotoAsync(Origin + TestPagePath + query);
        return new SpiceHtml5Page(playwright, browser, page, console);
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

    /// <summary>Whether spice-html5 has created the primary surface's canvas (SURFACE_CREATE arrived).</summary>
    public Task<bool> HasCanvasAsync() => Page.EvaluateAsync<bool>("() => window.hasCanvas()");

    /// <summary>The canvas against the frame last passed to <see cref="WaitForFrameAsync"/> ("identical" or where it differs).</summary>
    public Task<string> CompareCanvasAsync() => Page.EvaluateAsync<string>("() => window.compareCanvas()");

    /// <summary>
    /// Reads the canvas until it equals the device's latest frame (colour only; the canvas's alpha is ignored):
    /// spice-html5 draws as messages arrive, so the picture converges. Fails with the last difference after 120 s
    /// (generous: a 1920x1080 raw-bitmap frame is converted pixel by pixel in JavaScript on a loaded machine).
    /// </summary>
    public async Task WaitForFrameAsync(SteppedDevice device)
    {
        await Page.EvaluateAsync("([w, h, bgrx]) => window.setExpected(w, h, bgrx)", new object[] { device.LatestFrame!.Width, device.LatestFrame.Height, Convert.ToBase64String(device.LatestFrame.Pixels) });
        string last = "not compared";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            while ((last = await CompareCanvasAsync()) != "identical")
            {
                await Task.Delay(250, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"spice-html5's canvas never showed the served frame: {last}; errors: [{string.Join("; ", await ErrorsAsync())}]; "
                + $"console: [{string.Join("; ", _console.TakeLast(20))}]");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
