using Microsoft.Playwright;
using Xunit;

namespace Server.Tests.Interop.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright (its bundled driver; no <c>playwright install</c>), shared by the tests of
/// a class. Each test opens its own browser context.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the fixture is not initialised");

    public async ValueTask InitializeAsync()
    {
        // Fails rather than skips: .ci/install-deps installs the package.
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: run `bash .ci/install-deps` (Debian package chromium).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                // Containers and CI runners have no user namespaces for Chromium's sandbox.
                "--no-sandbox",
                // The test page's origin is a made-up public name (served by request interception) connecting to a
                // loopback port: Chromium's Local Network Access checks would block that WebSocket.
                "--disable-features=LocalNetworkAccessChecks",
                // noVNC 1.7 warns (and its RSA-AES security needs WebCrypto) outside a secure context.
                "--unsafely-treat-insecure-origin-as-secure=" + NoVncPage.Origin,
            ],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
