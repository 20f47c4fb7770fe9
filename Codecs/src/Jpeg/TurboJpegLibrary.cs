using System.Runtime.InteropServices;
using Codecs.Native;

namespace Codecs.Jpeg;

/// <summary>
/// The entry points of Debian's libturbojpeg (package <c>libturbojpeg0</c>, soname <c>libturbojpeg.so.0</c>), loaded
/// once on first use as unmanaged function pointers, like <c>Lz4Library</c>.
/// </summary>
/// <remarks>
/// Debian 12 ships libjpeg-turbo 2.1.5, whose TurboJPEG library exports the version-2 API (<c>tjInitCompress</c>,
/// <c>tjCompress2</c>, <c>tjDecompressHeader3</c>, <c>tjDecompress2</c>, ...) and not the <c>tj3*</c> API of 3.0, so
/// that is what is bound. <c>unsigned long</c> is 64-bit on LP64 Linux (<see cref="nuint"/>).
/// </remarks>
internal sealed unsafe class TurboJpegLibrary
{
    public const string DebianPackage = "libturbojpeg0";

    // TJPF_BGRX: bytes B, G, R, X in memory, the library's canonical pixel layout.
    public const int PixelFormatBgrx = 3;
    public const int FlagNoRealloc = 1024;
    public const int FlagFastDct = 2048;
    public const int FlagAccurateDct = 4096;
    public const int FlagStopOnWarning = 8192;
    public const int FlagLimitScans = 32768;

    private static readonly string[] s_defaultNames = ["libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.dylib", "turbojpeg"];
    private static readonly NativeBinding<TurboJpegLibrary> s_binding = new(
        "libturbojpeg",
        s_defaultNames,
        $"Install the Debian package {DebianPackage} (apt-get install {DebianPackage}), which provides libturbojpeg.so.0 (libjpeg-turbo 2.0 or later).",
        handle => new TurboJpegLibrary(handle));

    // tjhandle tjInitCompress(void); tjhandle tjInitDecompress(void); int tjDestroy(tjhandle)
    public readonly delegate* unmanaged<nint> InitCompress;
    public readonly delegate* unmanaged<nint> InitDecompress;
    public readonly delegate* unmanaged<nint, int> Destroy;

    // unsigned long tjBufSize(int width, int height, int jpegSubsamp)
    public readonly delegate* unmanaged<int, int, int, nuint> BufSize;

    // int tjCompress2(tjhandle, const unsigned char* srcBuf, int width, int pitch, int height, int pixelFormat,
    //                 unsigned char** jpegBuf, unsigned long* jpegSize, int jpegSubsamp, int jpegQual, int flags)
    public readonly delegate* unmanaged<nint, byte*, int, int, int, int, byte**, nuint*, int, int, int, int> Compress2;

    // int tjDecompressHeader3(tjhandle, const unsigned char* jpegBuf, unsigned long jpegSize, int* width, int* height,
    //                         int* jpegSubsamp, int* jpegColorspace)
    public readonly delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int> DecompressHeader3;

    // int tjDecompress2(tjhandle, const unsigned char* jpegBuf, unsigned long jpegSize, unsigned char* dstBuf,
    //                   int width, int pitch, int height, int pixelFormat, int flags)
    public readonly delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int> Decompress2;

    // char* tjGetErrorStr2(tjhandle)
    public readonly delegate* unmanaged<nint, byte*> GetErrorStr2;

    private TurboJpegLibrary(nint handle)
    {
        InitCompress = (delegate* unmanaged<nint>)Export(handle, "tjInitCompress");
        InitDecompress = (delegate* unmanaged<nint>)Export(handle, "tjInitDecompress");
        Destroy = (delegate* unmanaged<nint, int>)Export(handle, "tjDestroy");
        BufSize = (delegate* unmanaged<int, int, int, nuint>)Export(handle, "tjBufSize");
        Compress2 = (delegate* unmanaged<nint, byte*, int, int, int, int, byte**, nuint*, int, int, int, int>)Export(handle, "tjCompress2");
        DecompressHeader3 = (delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int>)Export(handle, "tjDecompressHeader3");
        Decompress2 = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int>)Export(handle, "tjDecompress2");
        GetErrorStr2 = (delegate* unmanaged<nint, byte*>)Export(handle, "tjGetErrorStr2");
    }

    /// <summary>The loaded library; throws <see cref="DllNotFoundException"/> naming the Debian package if it cannot be loaded.</summary>
    public static TurboJpegLibrary Instance => s_binding.Instance;

    public static bool IsAvailable => s_binding.IsAvailable;

    public string ErrorOf(nint handle) => Marshal.PtrToStringUTF8((nint)GetErrorStr2(handle)) ?? "unknown TurboJPEG error";

    /// <summary>Loads the first of <paramref name="names"/> that exists and has every entry point, or explains why none did.</summary>
    internal static bool TryLoad(ReadOnlySpan<string> names, out TurboJpegLibrary? library, out string? error) =>
        s_binding.TryLoad(names, out library, out error);

    private static nint Export(nint handle, string name) => NativeBinding<TurboJpegLibrary>.Export(handle, name);
}
