using System.Buffers;
using Codecs.Jpeg;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>
/// Tight over up to four parallel lanes, one per zlib stream (neatvnc/TurboVNC style): rectangle <c>i</c> (after
/// large rectangles are cut into bands of at most <see cref="BandPixels"/> pixels) goes to lane <c>i mod lanes</c>,
/// lane <c>k</c> compresses everything with stream <c>k</c>, the lanes run on the thread pool, and their output is
/// written in rectangle order.
/// </summary>
/// <remarks>
/// The output is deterministic for a given number of lanes: each stream sees its rectangles in the same order on the
/// encoder and (since the output keeps rectangle order) on the decoder. It is a valid Tight stream for any client;
/// it differs from <see cref="TightEncoder"/>'s only in which stream carries which rectangle. One instance per
/// connection; not thread-safe itself.
/// </remarks>
public sealed class TightParallelEncoder : IDisposable
{
    public const int BandPixels = 2 * TightEncoder.MaxArea;

    private readonly TightEncoder[] _lanes;
    private readonly ArrayBufferWriter<byte>[] _outputs;
    private readonly List<Rect> _work = [];
    private readonly List<(int Lane, int Start, int Length, int Rects)> _pieces = [];

    /// <param name="converter">The client's pixel format.</param>
    /// <param name="compressionLevel">The client's compression level 0..9.</param>
    /// <param name="lanes">1..4 lanes (the number of Tight zlib streams bounds it).</param>
    public TightParallelEncoder(PixelConverter converter, int compressionLevel = 2, int lanes = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lanes, 4);
        _lanes = new TightEncoder[lanes];
        _outputs = new ArrayBufferWriter<byte>[lanes];
        for (int i = 0; i < lanes; i++)
        {
            _lanes[i] = new TightEncoder(converter, compressionLevel, laneStream: i);
            _outputs[i] = new ArrayBufferWriter<byte>();
        }
    }

    public int Lanes => _lanes.Length;

    /// <summary>JPEG quality level 0..9 for every lane (null = lossless).</summary>
    public int? QualityLevel
    {
        get => _lanes[0].QualityLevel;
        set
        {
            foreach (TightEncoder lane in _lanes)
            {
                lane.QualityLevel = value;
            }
        }
    }

    /// <summary>TurboVNC fine quality and subsampling for every lane.</summary>
    public void SetFineQuality(int? quality, JpegSubsampling? subsampling)
    {
        foreach (TightEncoder lane in _lanes)
        {
            lane.FineQuality = quality;
            lane.FineSubsampling = subsampling;
        }
    }

    /// <summary>The compression level for every lane (changing it resets the streams and tells the client).</summary>
    public int CompressionLevel
    {
        get => _lanes[0].CompressionLevel;
        set
        {
            foreach (TightEncoder lane in _lanes)
            {
                lane.CompressionLevel = value;
            }
        }
    }

    /// <summary>Resets all four streams; the next rectangle of each lane carries its reset bit.</summary>
    public void ResetStreams()
    {
        foreach (TightEncoder lane in _lanes)
        {
            lane.ResetStreams();
        }
    }

    /// <summary>Encodes the <paramref name="areas"/> of <paramref name="frame"/> (canonical) in parallel; returns the rectangles written.</summary>
    public int Encode<TWriter>(Framebuffer frame, ReadOnlySpan<Rect> areas, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(writer);
        _work.Clear();
        foreach (Rect area in areas)
        {
            if (area.IsEmpty)
            {
                continue;
            }

            int band = area.Area > BandPixels ? Math.Max(1, TightEncoder.MaxArea / Math.Min(area.Width, TightEncoder.MaxWidth)) : area.Height;
            for (int y = area.Y; y < area.Bottom; y += band)
            {
                _work.Add(new Rect(area.X, y, area.Width, Math.Min(band, area.Bottom - y)));
            }
        }

        _pieces.Clear();
        for (int i = 0; i < _work.Count; i++)
        {
            _pieces.Add((i % _lanes.Length, 0, 0, 0));
        }

        foreach (ArrayBufferWriter<byte> output in _outputs)
        {
            output.ResetWrittenCount();
        }

        Parallel.For(0, _lanes.Length, lane =>
        {
            ArrayBufferWriter<byte> output = _outputs[lane];
            for (int i = lane; i < _work.Count; i += _lanes.Length)
            {
                int start = output.WrittenCount;
                int rects = _lanes[lane].Encode(frame.ReadOnlyView, _work[i], output);
                _pieces[i] = (lane, start, output.WrittenCount - start, rects);
            }
        });

        int total = 0;
        foreach ((int lane, int start, int length, int rects) in _pieces)
        {
            _outputs[lane].WrittenSpan.Slice(start, length).CopyTo(writer.GetSpan(length));
            writer.Advance(length);
            total += rects;
        }

        return total;
    }

    public void Dispose()
    {
        foreach (TightEncoder lane in _lanes)
        {
            lane.Dispose();
        }
    }
}
