using Codecs.Pixels;
using Damage.Device;
using Damage.Sharing;
using Fuzz.Seeds;

namespace Fuzz.Sessions;

/// <summary>
/// One small display shared by every session fuzz input (as a real server shares one display among its clients): a
/// device that shows one frame and then nothing, with its <see cref="SharedDisplay"/> pump running for the process.
/// </summary>
internal static class StillDisplay
{
    private static readonly Lazy<SharedDisplay> s_display = new(Start);

    public static SharedDisplay Instance => s_display.Value;

    private static SharedDisplay Start()
    {
        var display = new SharedDisplay(new StillDevice());
        _ = display.RunAsync();
        display.WaitForFirstFrameAsync().AsTask().GetAwaiter().GetResult();
        return display;
    }

    private sealed class StillDevice : IDisplayDevice
    {
        private readonly Framebuffer _frame = SeedImages.Create("text", 96, 64);
        private bool _shown;

        public string Name => "fuzz-still";

        public DisplayMode Mode => new(_frame.Width, _frame.Height, _frame.Format);

        public DamageHintKind HintKind => DamageHintKind.None;

        public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
        {
            if (!_shown)
            {
                _shown = true;
                return new DisplayUpdate(1, TimeSpan.Zero, _frame, true, null, null, default, [], 1, null);
            }

            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return null;
        }

        public void SendKey(KeyEvent key)
        {
        }

        public void SendPointer(PointerEvent pointer)
        {
        }

        public void SendClipboard(string text)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
