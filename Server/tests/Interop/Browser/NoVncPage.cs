using System.Text;
using System.Text.Json;
using Encoders.Rfb;
using Microsoft.Playwright;
using Xunit;

namespace Server.Tests.Interop.Browser;

/// <summary>
/// One Chromium page running noVNC against a <see cref="BrowserServer"/>. The page and noVNC's ES modules are served
/// from disk by request interception under <c>http://novnc.test/</c> (no HTTP server); the page's WebSocket goes
/// straight to the RFB port.
/// </summary>
internal sealed class NoVncPage : IAsyncDisposable
{
    public const string Origin = "http://novnc.test";

    // A minimal client page: noVNC's public API (RFB, scaleViewport, resizeSession, qualityLevel, events) plus a
    // count of the WebSocket bytes received, which the test compares with what the server sent.
    private const string Html = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><style>body { margin: 0 } #screen { width: 1920px; height: 1080px }</style></head>
        <body><div id="screen"></div>
        <script type="module">
        import RFB from './core/rfb.js';

        const status = { state: 'connecting', received: 0, handshake: -1, error: '' };
        window.novnc = status;
        const NativeWebSocket = window.WebSocket;
        // A real WebSocket (noVNC checks the channel's own prototype, so no subclass) with a listener registered
        // before noVNC's onmessage, so the count includes a message noVNC is about to process.
        window.WebSocket = function (...args) {
            const socket = new NativeWebSocket(...args);
            socket.addEventListener('message', e => { status.received += e.data.byteLength ?? e.data.length; });
            return socket;
        };
        window.WebSocket.prototype = NativeWebSocket.prototype;
        for (const state of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) {
            window.WebSocket[state] = NativeWebSocket[state];
        }
        window.addEventListener('error', e => { status.error += String(e.message) + '\n'; });
        window.addEventListener('unhandledrejection', e => { status.error += String(e.reason) + '\n'; });

        const params = new URLSearchParams(location.search);
        const rfb = new RFB(document.getElementById('screen'), params.get('url'));
        rfb.scaleViewport = false;
        rfb.resizeSession = false;
        if (params.has('quality')) {
            rfb.qualityLevel = Number(params.get('quality'));
        }
        rfb.addEventListener('connect', () => { status.handshake = status.received; status.state = 'connected'; });
        rfb.addEventListener('disconnect', e => { status.state = 'disconnected'; status.error += `disconnect clean=${e.detail.clean}\n`; });
        rfb.addEventListener('securityfailure', e => { status.error += `security failure ${e.detail.status} ${e.detail.reason}\n`; });

        // Drawing actions still queued (async image decodes for JPEG/PNG rectangles); 0 once the canvas is final.
        window.novncPending = () => rfb._display._renderQ.length;
        window.novncFocus = () => rfb.focus();

        // The visible canvas as base64 R, G, B bytes (alpha dropped).
        window.novncCanvas = () => {
            const canvas = document.querySelector('#screen canvas');
            const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            const rgb = new Uint8Array(canvas.width * canvas.height * 3);
            for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
                rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2];
            }
            let binary = '';
            for (let i = 0; i < rgb.length; i += 0x8000) {
                binary += String.fromCharCode.apply(null, rgb.subarray(i, i + 0x8000));
            }
            return { width: canvas.width, height: canvas.height, rgb: btoa(binary) };
        };
        </script></body></html>
        """;

    private readonly IBrowserContext _context;
    private readonly StringBuilder _console = new();

    private NoVncPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            lock (_console)
            {
                _console.AppendLine($"[{message.Type}] {message.Text}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Browser console output so far (noVNC logs its errors there), for failure messages.</summary>
    public string ConsoleLog
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    public static async Task<NoVncPage> OpenAsync(IBrowser browser, NoVncDistribution novnc, BrowserServer server, int? qualityLevel = null)
    {
        IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The whole 1920x1080 canvas on screen, so page coordinates are framebuffer coordinates.
            ViewportSize = new ViewportSize { Width = server.Device.Mode.Width, Height = server.Device.Mode.Height },
        });
        IPage page = await context.NewPageAsync();
        var result = new NoVncPage(context, page);
        await page.RouteAsync(Origin + "/**", route => ServeAsync(route, novnc.Root));
        string url = $"{Origin}/client.html?url={Uri.EscapeDataString(server.WebSocketUrl)}" + (qualityLevel is { } q ? $"&quality={q}" : "");
        await page.GotoAsync(url);
        return result;
    }

    private static async Task ServeAsync(IRoute route, string root)
    {
        string path = new Uri(route.Request.Url).AbsolutePath;
        if (path == "/client.html")
        {
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html", Body = Html });
            return;
        }

        string file = Path.GetFullPath(Path.Combine(root, Uri.UnescapeDataString(path).TrimStart('/')));
        if (!file.StartsWith(root + "/", StringComparison.Ordinal) || !File.Exists(file))
        {
            await route.FulfillAsync(new RouteFulfillOptions { Status = 404, ContentType = "text/plain", Body = "not found" });
            return;
        }

        // Module scripts need a JavaScript MIME type.
        string type = Path.GetExtension(file) switch
        {
            ".js" => "text/javascript",
            ".html" => "text/html",
            ".css" => "text/css",
            _ => "application/octet-stream",
        };
        await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = type, BodyBytes = await File.ReadAllBytesAsync(file) });
    }

    /// <summary>
    /// Waits until noVNC has received and drawn everything the server sent: <paramref name="sent"/> holds for the
    /// client's counters, the page's byte count after the handshake equals the server's and noVNC's render queue is
    /// empty, on three polls in a row with no new bytes (the server counts a rectangle before its bytes).
    /// </summary>
    public async Task WaitUntilSettledAsync(BrowserServer server, Func<RfbClientStatistics, bool> sent)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        string last = "";
        long quietBytes = -1;
        int quietPolls = 0;
        while (true)
        {
            // Before the module ran, window.novnc is undefined: "loading".
            JsonElement status = await Page.EvaluateAsync<JsonElement>(
                "() => ({ state: 'loading', error: '', ...window.novnc, pending: window.novncPending ? window.novncPending() : -1 })");
            string state = status.GetProperty("state").GetString() ?? "";
            Assert.True(state != "disconnected" && status.GetProperty("error").GetString() is "" or null,
                $"noVNC failed: {status}\n{ConsoleLog}\nserver: {string.Join("; ", server.Host.Server.FinishedClients)}");
            RfbClientStatistics? client = state == "connected" ? server.Host.Server.Clients.SingleOrDefault() : null;
            if (client is not null)
            {
                long received = status.GetProperty("received").GetInt64() - status.GetProperty("handshake").GetInt64();
                int pending = status.GetProperty("pending").GetInt32();
                long bytesSent = client.BytesSent;
                last = $"received {received} of {bytesSent} bytes, {pending} drawing actions pending; {client}";
                bool drawn = sent(client) && received == bytesSent && pending == 0;
                quietPolls = drawn && bytesSent == quietBytes ? quietPolls + 1 : 0;
                quietBytes = drawn ? bytesSent : -1;
                if (quietPolls == 2)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"noVNC did not settle within 60 s ({state}; {last})\n{ConsoleLog}");
            }
        }
    }

    /// <summary>The canvas as packed 8-bit R, G, B.</summary>
    public async Task<(int Width, int Height, byte[] Rgb)> ReadCanvasAsync()
    {
        JsonElement canvas = await Page.EvaluateAsync<JsonElement>("() => window.novncCanvas()");
        return (canvas.GetProperty("width").GetInt32(), canvas.GetProperty("height").GetInt32(), Convert.FromBase64String(canvas.GetProperty("rgb").GetString()!));
    }

    public async Task FocusAsync() => await Page.EvaluateAsync("() => window.novncFocus()");

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
