using Damage.Device;

namespace Damage.Tests.Sharing;

/// <summary>
/// Wraps a device so that the test decides when each update is handed out: one <see cref="Release"/> lets exactly one
/// update through, which makes the interleaving of the pump and the clients deterministic.
/// </summary>
internal sealed class GatedDevice(IDisplayDevice inner) : IDisplayDevice
{
    private readonly SemaphoreSlim _permits = new(0);

    public string Name => inner.Name;

    public DisplayMode Mode => inner.Mode;

    public DamageHintKind HintKind => inner.HintKind;

    public void Release(int count = 1) => _permits.Release(count);

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        await _permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await inner.WaitForUpdateAsync(cancellationToken).ConfigureAwait(false);
    }

    public void SendKey(KeyEvent key) => inner.SendKey(key);

    public void SendPointer(PointerEvent pointer) => inner.SendPointer(pointer);

    public void SendClipboard(string text) => inner.SendClipboard(text);

    public async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        _permits.Dispose();
    }
}
