using Damage.Device;
using Encoders.Spice.Channels;
using Encoders.Spice.Protocol;
using Encoders.Spice.Tests.Support;
using Xunit;

namespace Encoders.Spice.Tests;

public sealed class ChannelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Main_Init_ChannelsList_MouseMode()
    {
        await using var harness = new ServerHarness(new ManualDevice(64, 64));
        await using TestChannel main = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Main, cancellationToken: Ct);
        ReceivedMessage init = await main.ReadUntilAsync(MainMessage.Init, cancellationToken: Ct);
        Assert.Equal(32, init.Body.Length);
        Assert.NotEqual(0u, init.U32(0)); // session id
        Assert.Equal(1u, init.U32(4)); // display hint
        Assert.Equal(3u, init.U32(8)); // server | client
        Assert.Equal(2u, init.U32(12)); // client mode current
        Assert.NotEqual(0u, init.U32(24)); // multimedia time
        Assert.Equal(init.U32(0), Assert.Single(harness.Server.Clients).SessionId);

        await main.SendAsync(MainMessage.AgentStart, [10, 0, 0, 0], Ct); // tolerated without an agent
        await main.SendAsync(MainMessage.AttachChannels, [], Ct);
        ReceivedMessage list = await main.ReadUntilAsync(MainMessage.ChannelsList, cancellationToken: Ct);
        Assert.Equal([3, 0, 0, 0, 2, 0, 3, 0, 4, 0], list.Body);

        await main.SendAsync(MainMessage.MouseModeRequest, [1, 0], Ct);
        ReceivedMessage mode = await main.ReadUntilAsync(MainMessage.MouseMode, cancellationToken: Ct);
        Assert.Equal(3, mode.U16(0));
        Assert.Equal(1, mode.U16(2));
        Assert.Equal(1u, harness.Server.Clients[0].MouseMode);

        await main.CloseAsync();
        Assert.Empty(harness.Server.Clients);
    }

    [Theory]
    [InlineData(0x0000001Eu, 0x1Eu)] // 'a' pressed
    [InlineData(0x0000009Eu, 0x1Eu)] // 'a' released
    [InlineData(0x000048E0u, 0xE048u)] // Up pressed: e0 48 00 00
    [InlineData(0x0000C8E0u, 0xE048u)] // Up released: e0 c8 00 00
    public void Scancode_FromKeyCode(uint code, uint scancode) => Assert.Equal(scancode, InputsChannel.ToScancode(code));

    [Fact]
    public async Task Inputs_KeysAndPointer_ReachTheDevice_WithMotionAckEveryFour()
    {
        var device = new ManualDevice(640, 480);
        await using var harness = new ServerHarness(device);
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            await using TestChannel inputs = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Inputs, session, cancellationToken: Ct);
            Assert.Equal(SpiceLinkError.Ok, inputs.LinkResult);
            ReceivedMessage init = await inputs.ReadUntilAsync(InputsMessage.Init, cancellationToken: Ct);
            Assert.Equal(2, init.Body.Length);

            await inputs.SendAsync(InputsMessage.KeyDown, [0xE0, 0x48, 0, 0], Ct);
            await inputs.SendAsync(InputsMessage.KeyUp, [0xE0, 0xC8, 0, 0], Ct);
            for (int i = 0; i < 8; i++)
            {
                await inputs.SendAsync(InputsMessage.MousePosition, [(byte)(10 + i), 0, 0, 0, 8, 0, 0, 0, 0, 0, 0], Ct);
            }

            await inputs.SendAsync(InputsMessage.MousePress, [1, 1, 0], Ct);
            await inputs.SendAsync(InputsMessage.MouseRelease, [1, 0, 0], Ct);

            Assert.Equal(InputsMessage.MouseMotionAck, (await inputs.ReadAsync(Ct))!.Type);
            Assert.Equal(InputsMessage.MouseMotionAck, (await inputs.ReadAsync(Ct))!.Type);
            while (device.Pointers.Count < 10)
            {
                await Task.Delay(5, Ct);
            }

            Assert.Equal([new KeyEvent(0, 0xE048, true), new KeyEvent(0, 0xE048, false)], device.Keys.ToArray());
            PointerEvent[] pointers = [.. device.Pointers];
            Assert.Equal(new PointerEvent(17, 8, PointerButtons.None), pointers[7]);
            Assert.Equal(new PointerEvent(17, 8, PointerButtons.Left), pointers[8]);
            Assert.Equal(new PointerEvent(17, 8, PointerButtons.None), pointers[9]);
        }
    }

    [Fact]
    public async Task Cursor_Init_Set_Move_Hide()
    {
        var device = new ManualDevice(64, 64);
        await using var harness = new ServerHarness(device);
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            byte[] arrow = [.. Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i)];
            device.Publish(cursor: new CursorShape(2, 3, 1, 1, arrow), pointer: new CursorPosition(5, 6, true));
            await device.WaitHandedAsync(Ct);
            await using TestChannel cursor = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Cursor, session, cancellationToken: Ct);
            ReceivedMessage init = await cursor.ReadUntilAsync(CursorMessage.Init, cancellationToken: Ct);
            Assert.Equal(5, init.U16(0));
            Assert.Equal(6, init.U16(2));
            Assert.Equal(1, init.Body[8]); // visible
            Assert.Equal(0, init.U16(9)); // flags: a shape follows
            Assert.Equal(0, init.Body[19]); // ALPHA
            Assert.Equal(2, init.U16(20));
            Assert.Equal(3, init.U16(22));
            Assert.Equal(arrow, init.Body[28..]);

            device.Publish(pointer: new CursorPosition(9, 10, true));
            ReceivedMessage move = await cursor.ReadUntilAsync(CursorMessage.Move, cancellationToken: Ct);
            Assert.Equal((9, 10), ((int)move.U16(0), (int)move.U16(2)));

            device.Publish(pointer: new CursorPosition(9, 10, false));
            await cursor.ReadUntilAsync(CursorMessage.Hide, cancellationToken: Ct);

            device.Publish(cursor: new CursorShape(1, 1, 0, 0, new byte[] { 1, 2, 3, 255 }), pointer: new CursorPosition(1, 1, true));
            ReceivedMessage set = await cursor.ReadUntilAsync(CursorMessage.Set, cancellationToken: Ct);
            Assert.Equal(1, set.Body[4]);
            Assert.Equal([1, 2, 3, 255], set.Body[^4..]);
        }
    }
}
