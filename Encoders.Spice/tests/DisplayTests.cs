using Codecs.Pixels;
using Codecs.Spice.Choice;
using Damage.Device;
using Encoders.Spice.Protocol;
using Encoders.Spice.Tests.Support;
using Xunit;

namespace Encoders.Spice.Tests;

public sealed class DisplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<SpiceImageCompression?, string> CorpusCases => new()
    {
        { SpiceImageCompression.Off, "window-drag" },
        { SpiceImageCompression.Quic, "window-drag" },
        { SpiceImageCompression.Lz, "terminal-scroll" },
        { SpiceImageCompression.Glz, "terminal-scroll" },
        { SpiceImageCompression.Lz4, "browser-scroll" },
        { null, "browser-scroll" },
    };

    [Theory]
    [MemberData(nameof(CorpusCases))]
    public async Task CorpusTrace_ClientPicture_EqualsSourceFrame_OverSeveralFrames(SpiceImageCompression? mode, string trace)
    {
        var device = new SteppedDevice(new TraceReplayDevice(Corpus.Trace(trace), new TraceReplayOptions { RealTime = false }));
        await using var harness = new ServerHarness(device, new SpiceServerOptions { ForcedCompression = mode });
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            device.Step();
            using var display = new DisplayClientReader(await harness.ConnectDisplayAsync(session, cancellationToken: Ct), harness.Server, session);
            await using (display.Channel)
            {
                await display.ReadUntilAsync(DisplayMessage.Mark, Ct);
                Assert.Equal(0, display.Canvas.CountDifferences(device.LatestFrame!.Pixels, device.LatestFrame.Stride));
                Assert.Equal(1, display.Canvas.Draws); // the first draw is the whole frame (spicy-screenshot captures it)
                for (int frame = 0; frame < 12; frame++)
                {
                    device.Step();
                    await device.WaitHandedAsync(Ct);
                    await display.CatchUpAsync(device.LatestFrame!.Pixels, device.LatestFrame.Stride, Ct);
                }

                SpiceDisplayStatistics stats = display.Client.Display!;
                Assert.True(stats.Updates >= 2);
                SpiceImageType expected = mode switch
                {
                    SpiceImageCompression.Off => SpiceImageType.Bitmap,
                    SpiceImageCompression.Quic => SpiceImageType.Quic,
                    SpiceImageCompression.Lz => SpiceImageType.LzRgb,
                    SpiceImageCompression.Glz => SpiceImageType.GlzRgb,
                    SpiceImageCompression.Lz4 => SpiceImageType.Lz4,
                    _ => SpiceImageType.FromCache,
                };
                if (mode is not null)
                {
                    // The forced type, or its documented substitutes: raw below 54 bytes, LZ where QUIC/GLZ cannot take a tile.
                    Assert.All(display.Canvas.ImageTypes.Keys, t => Assert.Contains(t, (SpiceImageType[])[expected, SpiceImageType.FromCache, SpiceImageType.Bitmap, SpiceImageType.LzRgb]));
                    Assert.True(stats.ImageBytes(expected) > 0);
                    Assert.True(stats.ImageCount(expected) * 2 >= stats.ImageDraws, $"{expected}: {stats.ImageCount(expected)} of {stats.ImageDraws} draws");
                }

                if (mode == SpiceImageCompression.Glz)
                {
                    Assert.True(stats.GlzRetainedPixels > 0);
                }

                if (trace != "browser-scroll" || mode is null)
                {
                    TestContext.Current.SendDiagnosticMessage($"{trace} {mode}: {stats.Updates} updates, {stats.ImageDraws} image draws, {stats.Fills} fills, {stats.CopyBits} copy-bits, {stats.CacheHits} cache hits");
                }
            }
        }
    }

    [Fact]
    public async Task TwoClients_AtOnce_EachSeeTheSourceFrame_WithTheirOwnCompression()
    {
        var device = new SteppedDevice(new TraceReplayDevice(Corpus.Trace("terminal-scroll"), new TraceReplayOptions { RealTime = false }));
        await using var harness = new ServerHarness(device);
        device.Step();
        (TestChannel mainA, uint sessionA) = await harness.ConnectMainAsync(cancellationToken: Ct);
        (TestChannel mainB, uint sessionB) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (mainA)
        await using (mainB)
        {
            Assert.NotEqual(sessionA, sessionB);
            TestChannel channelB = await harness.ConnectDisplayAsync(sessionB, cancellationToken: Ct);
            await channelB.SendAsync(DisplayMessage.PreferredCompression, [(byte)SpiceImageCompression.Quic], Ct);
            using var a = new DisplayClientReader(await harness.ConnectDisplayAsync(sessionA, displayCaps: 0, glzWindow: 0, cancellationToken: Ct), harness.Server, sessionA);
            using var b = new DisplayClientReader(channelB, harness.Server, sessionB);
            await using (a.Channel)
            await using (b.Channel)
            {
                for (int frame = 0; frame < 6; frame++)
                {
                    device.Step();
                    await device.WaitHandedAsync(Ct);
                    await a.CatchUpAsync(device.LatestFrame!.Pixels, device.LatestFrame.Stride, Ct);
                    await b.CatchUpAsync(device.LatestFrame!.Pixels, device.LatestFrame.Stride, Ct);
                }

                Assert.Equal(2, harness.Server.Clients.Count);
                Assert.DoesNotContain(SpiceImageType.GlzRgb, a.Canvas.ImageTypes.Keys); // no dictionary, no GLZ
                Assert.True(b.Canvas.ImageTypes.GetValueOrDefault(SpiceImageType.Quic) > 0);
            }
        }
    }

    [Fact]
    public async Task RepeatedTile_IsSentFromTheCache_AndSolidTiles_AsFills()
    {
        var device = new ManualDevice(256, 128);
        await using var harness = new ServerHarness(device, new SpiceServerOptions { ForcedCompression = SpiceImageCompression.Lz });
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            device.Publish(view => Pattern(view, 1));
            using var display = new DisplayClientReader(await harness.ConnectDisplayAsync(session, cancellationToken: Ct), harness.Server, session);
            await using (display.Channel)
            {
                await display.ReadUntilAsync(DisplayMessage.Mark, Ct);

                device.Publish(view => view.Slice(new Rect(0, 0, 128, 128)).Clear()); // solid black tile
                await SyncAsync(device, display);
                Assert.True(display.Client.Display!.Fills >= 1);

                device.Publish(view => Pattern(view.Slice(new Rect(0, 0, 128, 128)), 7)); // new content: CACHE_ME
                await SyncAsync(device, display);
                device.Publish(view => view.Slice(new Rect(0, 0, 128, 128)).Clear());
                await SyncAsync(device, display);
                device.Publish(view => Pattern(view.Slice(new Rect(0, 0, 128, 128)), 7)); // same content again: FROM_CACHE
                await SyncAsync(device, display);

                SpiceDisplayStatistics stats = display.Client.Display!;
                Assert.True(stats.CacheHits >= 1, $"cache hits {stats.CacheHits}, inserts {stats.CacheInserts}");
                Assert.True(display.Canvas.ImageTypes.GetValueOrDefault(SpiceImageType.FromCache) >= 1);
            }
        }
    }

    [Fact]
    public async Task ModeChange_RecreatesTheSurface_AndRepaintsItWhole()
    {
        var device = new ManualDevice(200, 100);
        await using var harness = new ServerHarness(device, new SpiceServerOptions { ForcedCompression = SpiceImageCompression.Quic });
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            device.Publish(view => Pattern(view, 3));
            using var display = new DisplayClientReader(await harness.ConnectDisplayAsync(session, cancellationToken: Ct), harness.Server, session);
            await using (display.Channel)
            {
                await display.ReadUntilAsync(DisplayMessage.Mark, Ct);
                device.Publish(view => Pattern(view, 5), resize: (320, 240));
                await display.ReadUntilAsync(DisplayMessage.Mark, Ct);
                Assert.Equal((320, 240), (display.Canvas.Width, display.Canvas.Height));
                Assert.Equal(2, display.Canvas.SurfacesCreated);
                Assert.Contains(DisplayMessage.SurfaceDestroy, display.Types);
                Assert.Equal(0, display.Canvas.CountDifferences(device.Snapshot, 320 * 4));
            }
        }
    }

    [Fact]
    public async Task AckWindow_PausesTheSender_UntilTheClientAcknowledges()
    {
        var device = new ManualDevice(128, 32);
        await using var harness = new ServerHarness(device, new SpiceServerOptions { ForcedCompression = SpiceImageCompression.Off, AckWindow = 4, TileSize = 16 });
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            device.Publish(view => Pattern(view, 1));
            using var display = new DisplayClientReader(await harness.ConnectDisplayAsync(session, cancellationToken: Ct), harness.Server, session);
            await using (display.Channel)
            {
                Assert.Equal(BaseMessage.SetAck, await display.ReadOneAsync(Ct));
                await display.Channel.SendAsync(BaseMessage.AckSync, [1, 0, 0, 0], Ct);
                await display.ReadUntilAsync(DisplayMessage.Mark, Ct);

                // Every update is 16 tiles = 16 messages, above 2 × 4: the next update waits for ACKs. The hub may
                // coalesce two publishes into one update, so publish until the sender reports a pause.
                SpiceClient client = display.Client;
                for (int seed = 2; client.Display!.AckWaits == 0; seed++)
                {
                    Assert.True(seed < 200, "the sender never waited for the ACK window");
                    device.Publish(view => Pattern(view, seed));
                    await device.WaitHandedAsync(Ct);
                    await Task.Delay(10, Ct);
                }

                long sentWhilePaused = client.Channels.Single(c => c.Channel == SpiceChannelType.Display).MessagesSent;
                for (int i = 0; i < 100; i++)
                {
                    await display.Channel.SendAsync(BaseMessage.Ack, [], Ct);
                }

                await display.CatchUpAsync(device.Snapshot, 128 * 4, Ct);
                Assert.True(client.Channels.Single(c => c.Channel == SpiceChannelType.Display).MessagesSent > sentWhilePaused);
            }
        }
    }

    [Fact]
    public async Task PreferredCompression_IsHonoured_WhenNotForced()
    {
        var device = new ManualDevice(256, 256);
        await using var harness = new ServerHarness(device);
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            device.Publish(view => Pattern(view, 1));
            TestChannel channel = await harness.ConnectDisplayAsync(session, cancellationToken: Ct);
            Assert.NotEqual(0u, channel.ServerChannelCaps & (1u << 6)); // PREF_COMPRESSION advertised
            await channel.SendAsync(DisplayMessage.PreferredCompression, [(byte)SpiceImageCompression.Lz4], Ct);
            using var display = new DisplayClientReader(channel, harness.Server, session);
            await using (display.Channel)
            {
                await display.ReadUntilAsync(DisplayMessage.Mark, Ct);
                device.Publish(view => Pattern(view, 2));
                await SyncAsync(device, display);
                Assert.True(display.Canvas.ImageTypes.GetValueOrDefault(SpiceImageType.Lz4) >= 1);
            }
        }
    }

    [Fact]
    public async Task MalformedDisplayMessage_DropsOnlyThatChannel()
    {
        var device = new ManualDevice(64, 64);
        await using var harness = new ServerHarness(device);
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            device.Publish(view => Pattern(view, 1));
            await using TestChannel display = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Display, session, cancellationToken: Ct);
            await display.SendAsync(DisplayMessage.Init, [1, 2, 3], Ct); // 3 bytes instead of 14
            Assert.True(await display.IsClosedByServerAsync(Ct));
            await display.ServerTask.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.True(display.ServerTask.IsCompletedSuccessfully);

            await using TestChannel huge = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Inputs, session, cancellationToken: Ct);
            await huge.SendRawAsync([101, 0, 0, 0, 0, 0x10], Ct); // a 1 GiB body announced
            Assert.True(await huge.IsClosedByServerAsync(Ct));

            await main.SendAsync(MainMessage.AttachChannels, [], Ct);
            Assert.Equal(3u, (await main.ReadUntilAsync(MainMessage.ChannelsList, cancellationToken: Ct)).U32(0));
        }
    }

    internal static void Pattern(ImageView view, int seed)
    {
        for (int y = 0; y < view.Height; y++)
        {
            Span<byte> row = view.Row(y);
            for (int x = 0; x < view.Width; x++)
            {
                row[4 * x] = (byte)((x / 8 * seed) + y);
                row[(4 * x) + 1] = (byte)(y / 4 * 16);
                row[(4 * x) + 2] = (byte)(seed * 40);
                row[(4 * x) + 3] = 0;
            }
        }
    }

    private static async Task SyncAsync(ManualDevice device, DisplayClientReader display)
    {
        await device.WaitHandedAsync(Ct);
        await display.CatchUpAsync(device.Snapshot, device.Mode.Width * 4, Ct);
    }
}
