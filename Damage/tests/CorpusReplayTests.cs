using Codecs.Pixels;
using Damage.Device;
using Xunit;

namespace Damage.Tests;

/// <summary>
/// Every frame of every committed corpus trace: the plan applied to the client's previous picture (copies, then
/// rectangles painted from the current frame) must reproduce the current frame exactly.
/// </summary>
public sealed class CorpusReplayTests
{
    public static TheoryData<string, bool> Traces()
    {
        var data = new TheoryData<string, bool>();
        foreach (string path in Directory.EnumerateFiles(CorpusDirectory, "*.fbt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path), false);
        }

        // With a QXL-like device's hints the scan covers only the hinted area; one trace with scrolls and one with moves.
        data.Add("terminal-scroll.fbt", true);
        data.Add("window-drag.fbt", true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public async Task EveryPlan_ReproducesEveryFrame(string name, bool damageHints)
    {
        await using var device = new TraceReplayDevice(Path.Combine(CorpusDirectory, name), new TraceReplayOptions { RealTime = false, DamageHints = damageHints });
        using var tracker = new DamageTracker();
        Framebuffer? client = null;
        long dirtyPixels = 0;
        long explained = 0;
        int frames = 0;
        try
        {
            while (await device.WaitForUpdateAsync(TestContext.Current.CancellationToken) is { } update)
            {
                using (update)
                {
                    FramePlan plan = tracker.Track(update);
                    if (client is null || update.ModeChanged)
                    {
                        Assert.True(plan.IsFullFrame, $"frame {frames}: the first plan repaints everything");
                        client?.Dispose();
                        client = Framebuffer.Allocate(update.Framebuffer.Width, update.Framebuffer.Height);
                    }

                    plan.ApplyTo(client.View, update.Framebuffer.ReadOnlyView);
                    if (!client.ReadOnlyView.ContentEquals(update.Framebuffer.ReadOnlyView))
                    {
                        Assert.Fail($"{name} frame {frames}: applying {plan} does not reproduce the frame");
                    }

                    if (frames > 0)
                    {
                        dirtyPixels += plan.Statistics.DirtyPixels;
                        explained += plan.Statistics.PixelsExplainedByCopies;
                    }

                    frames++;
                }
            }
        }
        finally
        {
            client?.Dispose();
        }

        Assert.Equal(device.FramesPlayed, frames);
        Assert.True(frames >= 150);
        TestContext.Current.SendDiagnosticMessage($"{name} (hints {damageHints}): {frames} frames, copies explain {100.0 * explained / Math.Max(1, dirtyPixels):F1}% of {dirtyPixels} changed pixels");
    }

    internal static string CorpusDirectory { get; } = FindCorpus();

    private static string FindCorpus()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Codecs.sln")))
            {
                return Path.Combine(dir, "corpus");
            }
        }

        throw new InvalidOperationException("Codecs.sln not found above " + AppContext.BaseDirectory);
    }
}
