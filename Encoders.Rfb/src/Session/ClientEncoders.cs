using System.Buffers;
using Codecs.Pixels;
using Codecs.Rfb;
using Codecs.Rfb.Encoders;

namespace Encoders.Rfb.Session;

/// <summary>
/// One client's encoders, created on first use in the client's pixel format and kept for the connection, because
/// ZRLE's and Tight's zlib streams must continue from rectangle to rectangle.
/// </summary>
/// <remarks>
/// A pixel-format change needs encoders for the new format. Tight tells the client to reset its inflaters in the new
/// encoder's first rectangle. ZRLE has no such signal and <see cref="ZrleEncoder"/> cannot change format while keeping
/// its stream, so once ZRLE bytes were sent a format change makes ZRLE unavailable for the rest of the connection and
/// the client's next preferred encoding is used (<see cref="IsUnavailable"/>).
/// </remarks>
internal sealed class ClientEncoders : IDisposable
{
    private readonly Dictionary<int, IRfbEncoder> _encoders = [];
    private bool _zrleUsed;
    private bool _zrleUnavailable;
    private bool _tightUsed;
    private int[] _tightPseudoEncodings = [];
    private readonly bool _tightGradient;
    private readonly bool _allowLossy;

    public ClientEncoders(PixelConverter converter, bool tightGradient = false, bool allowLossy = true)
    {
        Converter = converter;
        _tightGradient = tightGradient;
        _allowLossy = allowLossy;
    }

    public PixelConverter Converter { get; private set; }

    /// <summary>Tight rectangles sent through the gradient filter so far, over every Tight encoder of the connection.</summary>
    public long TightGradientRectangles { get; private set; }

    public bool IsUnavailable(int encoding) => encoding == RfbEncoding.Zrle && _zrleUnavailable;

    public void SetPixelFormat(PixelConverter converter)
    {
        if (converter.Format == Converter.Format)
        {
            return;
        }

        DisposeEncoders();
        Converter = converter;
        _zrleUnavailable |= _zrleUsed;
    }

    /// <summary>Applies the Tight pseudo-encodings (compression level, JPEG quality, fine quality, subsampling) of a new SetEncodings.</summary>
    public void SetTightOptions(int[] encodings)
    {
        _tightPseudoEncodings = encodings;
        foreach (IRfbEncoder encoder in _encoders.Values)
        {
            if (encoder is TightEncoder tight)
            {
                ApplyTightOptions(tight);
            }
        }

    }

    /// <summary>Encodes <paramref name="area"/> with <paramref name="encoding"/>; returns the rectangles written.</summary>
    public int Encode<TWriter>(int encoding, ReadOnlyImageView frame, Rect area, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        IRfbEncoder encoder = Get(encoding);
        _zrleUsed |= encoding == RfbEncoding.Zrle;
        _tightUsed |= encoding == RfbEncoding.Tight;
        if (encoder is not TightEncoder tight)
        {
            return encoder.Encode(frame, area, writer);
        }

        long gradientBefore = tight.RectCounts[TightEncoder.GradientRectIndex];
        int rectangles = tight.Encode(frame, area, writer);
        TightGradientRectangles += tight.RectCounts[TightEncoder.GradientRectIndex] - gradientBefore;
        return rectangles;
    }

    private IRfbEncoder Get(int encoding)
    {
        if (_encoders.TryGetValue(encoding, out IRfbEncoder? encoder))
        {
            return encoder;
        }

        encoder = encoding switch
        {
            RfbEncoding.Raw => new RawEncoder(Converter),
            RfbEncoding.Rre => new RreEncoder(Converter),
            RfbEncoding.Hextile => new HextileEncoder(Converter),
            RfbEncoding.Zrle => new ZrleEncoder(Converter),
            RfbEncoding.Tight => new TightEncoder(Converter) { EnableGradient = _tightGradient },
            RfbEncoding.TightPng => TightEncoder.CreateTightPng(Converter),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "not an encoding this server produces"),
        };
        if (encoder is TightEncoder tight)
        {
            ApplyTightOptions(tight);
            if (encoding == RfbEncoding.Tight && _tightUsed)
            {
                // The client's inflaters hold the previous encoder's stream state.
                tight.ResetStreams();
            }
        }

        _encoders.Add(encoding, encoder);
        return encoder;
    }

    private void ApplyTightOptions(TightEncoder tight)
    {
        tight.QualityLevel = null;
        tight.FineQuality = null;
        tight.FineSubsampling = null;
        bool compressionGiven = false;
        foreach (int encoding in _tightPseudoEncodings)
        {
            compressionGiven |= encoding is >= RfbEncoding.CompressLevel0 and <= RfbEncoding.CompressLevel0 + 9;
            tight.TryApplyPseudoEncoding(encoding);
        }

        if (!compressionGiven)
        {
            tight.CompressionLevel = 2;
        }

        if (!_allowLossy)
        {
            tight.QualityLevel = null;
            tight.FineQuality = null;
        }
    }

    private void DisposeEncoders()
    {
        foreach (IRfbEncoder encoder in _encoders.Values)
        {
            (encoder as IDisposable)?.Dispose();
        }

        _encoders.Clear();
    }

    public void Dispose() => DisposeEncoders();
}
