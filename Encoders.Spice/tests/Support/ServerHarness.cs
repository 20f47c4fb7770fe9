using Damage.Device;
using Damage.Sharing;
using Encoders.Spice.Protocol;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>A device, the shared display hub pumping it, and a SPICE server on top; disposes all three.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    public ServerHarness(IDisplayDevice device, SpiceServerOptions? options = null)
    {
        Device = device;
        Display = new SharedDisplay(device);
        Server = new SpiceServer(Display, options);
        _pump = Display.RunAsync(_stop.Token);
    }

    public IDisplayDevice Device { get; }

    public SharedDisplay Display { get; }

    public SpiceServer Server { get; }

    /// <summary>Links a main channel and returns it with the session id from MAIN_INIT.</summary>
    public async Task<(TestChannel Main, uint SessionId)> ConnectMainAsync(string? password = null, CancellationToken cancellationToken = default)
    {
        TestChannel main = await TestChannel.ConnectAsync(Server, SpiceChannelType.Main, password: password, cancellationToken: cancellationToken);
        Assert.Equal(SpiceLinkError.Ok, main.LinkResult);
        ReceivedMessage init = await main.ReadUntilAsync(103, cancellationToken: cancellationToken);
        return (main, init.U32(0));
    }

    /// <summary>Links a display channel advertising <paramref name="displayCaps"/> and sends DISPLAY_INIT like spice-gtk.</summary>
    public async Task<TestChannel> ConnectDisplayAsync(uint sessionId, uint displayCaps = 1u << 5, int glzWindow = 3 << 20, long cachePixels = 20 << 20, CancellationToken cancellationToken = default)
    {
        TestChannel display = await TestChannel.ConnectAsync(Server, SpiceChannelType.Display, sessionId, channelCaps: displayCaps, cancellationToken: cancellationToken);
        Assert.Equal(SpiceLinkError.Ok, display.LinkResult);
        var init = new byte[14];
        init[0] = 1;
        BitConverter.TryWriteBytes(init.AsSpan(1), cachePixels);
        init[9] = glzWindow > 0 ? (byte)1 : (byte)0;
        BitConverter.TryWriteBytes(init.AsSpan(10), glzWindow);
        await display.SendAsync(101, init, cancellationToken);
        return display;
    }

    public async ValueTask DisposeAsync()
    {
        Server.Dispose();
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }

        await Display.DisposeAsync();
        await Device.DisposeAsync();
        _stop.Dispose();
    }
}
