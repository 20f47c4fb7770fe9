using Codecs.Pixels;
using Damage.Sharing;

namespace Damage.Tests.Sharing;

/// <summary>What a client shows: starts black, and applies each update as a protocol client would (copies, then rectangles).</summary>
internal sealed class ClientPicture : IDisposable
{
    private Framebuffer? _picture;

    public int Updates { get; private set; }

    public long CopiesApplied { get; private set; }

    public long RectanglesDrawn { get; private set; }

    public void Apply(ClientUpdate update)
    {
        if (_picture is null || update.ModeChanged)
        {
            _picture?.Dispose();
            _picture = Framebuffer.Allocate(update.Mode.Width, update.Mode.Height);
            _picture.Span.Clear();
        }

        foreach (CopyOperation copy in update.Copies)
        {
            FramePlan.ApplyCopy(_picture.View, copy);
        }

        ReadOnlyImageView frame = update.Frame;
        foreach (Rect rectangle in update.Rectangles)
        {
            frame.Slice(rectangle).CopyTo(_picture.View.Slice(rectangle));
        }

        Updates++;
        CopiesApplied += update.Copies.Count;
        RectanglesDrawn += update.Rectangles.Count;
    }

    public bool Matches(ReadOnlyImageView frame) => _picture is not null && _picture.ReadOnlyView.ContentEquals(frame);

    public void Dispose() => _picture?.Dispose();
}
