using Codecs.Native;

namespace Codecs.Lz4;

/// <summary>
/// The entry points of Debian's liblz4 (package <c>liblz4-1</c>, soname <c>liblz4.so.1</c>), loaded once on first use
/// as unmanaged function pointers.
/// </summary>
/// <remarks>
/// Loaded through <see cref="NativeBinding{TLibrary}"/>. All functions are called with pinned, length-checked buffers;
/// liblz4's <c>*_safe</c> decoders never read or write outside the lengths they are given.
/// </remarks>
internal sealed unsafe class Lz4Library
{
    public const string DebianPackage = "liblz4-1";

    private static readonly string[] s_defaultNames = ["liblz4.so.1", "liblz4.so", "liblz4.1.dylib", "liblz4.dylib", "lz4", "liblz4"];
    private static readonly NativeBinding<Lz4Library> s_binding = new(
        "liblz4",
        s_defaultNames,
        $"Install the Debian package {DebianPackage} (apt-get install {DebianPackage}), which provides liblz4.so.1 (version 1.9 or later).",
        handle => new Lz4Library(handle));

    // int LZ4_compressBound(int inputSize)
    public readonly delegate* unmanaged<int, int> CompressBound;

    // int LZ4_compress_default(const char* src, char* dst, int srcSize, int dstCapacity)
    public readonly delegate* unmanaged<byte*, byte*, int, int, int> CompressDefault;

    // int LZ4_compress_fast(const char* src, char* dst, int srcSize, int dstCapacity, int acceleration)
    public readonly delegate* unmanaged<byte*, byte*, int, int, int, int> CompressFast;

    // int LZ4_compress_HC(const char* src, char* dst, int srcSize, int dstCapacity, int compressionLevel)
    public readonly delegate* unmanaged<byte*, byte*, int, int, int, int> CompressHC;

    // int LZ4_decompress_safe(const char* src, char* dst, int compressedSize, int dstCapacity)
    public readonly delegate* unmanaged<byte*, byte*, int, int, int> DecompressSafe;

    // LZ4_stream_t* LZ4_createStream(void); int LZ4_freeStream(LZ4_stream_t*)
    public readonly delegate* unmanaged<void*> CreateStream;
    public readonly delegate* unmanaged<void*, int> FreeStream;

    // int LZ4_loadDict(LZ4_stream_t*, const char* dictionary, int dictSize)  (also a full reset)
    public readonly delegate* unmanaged<void*, byte*, int, int> LoadDict;

    // int LZ4_saveDict(LZ4_stream_t*, char* safeBuffer, int maxDictSize)
    public readonly delegate* unmanaged<void*, byte*, int, int> SaveDict;

    // int LZ4_compress_fast_continue(LZ4_stream_t*, const char* src, char* dst, int srcSize, int dstCapacity, int acceleration)
    public readonly delegate* unmanaged<void*, byte*, byte*, int, int, int, int> CompressFastContinue;

    // LZ4_streamDecode_t* LZ4_createStreamDecode(void); int LZ4_freeStreamDecode(LZ4_streamDecode_t*)
    public readonly delegate* unmanaged<void*> CreateStreamDecode;
    public readonly delegate* unmanaged<void*, int> FreeStreamDecode;

    // int LZ4_setStreamDecode(LZ4_streamDecode_t*, const char* dictionary, int dictSize)
    public readonly delegate* unmanaged<void*, byte*, int, int> SetStreamDecode;

    // int LZ4_decompress_safe_continue(LZ4_streamDecode_t*, const char* src, char* dst, int srcSize, int dstCapacity)
    public readonly delegate* unmanaged<void*, byte*, byte*, int, int, int> DecompressSafeContinue;

    // int LZ4_versionNumber(void)
    public readonly delegate* unmanaged<int> VersionNumber;

    private Lz4Library(nint handle)
    {
        CompressBound = (delegate* unmanaged<int, int>)Export(handle, "LZ4_compressBound");
        CompressDefault = (delegate* unmanaged<byte*, byte*, int, int, int>)Export(handle, "LZ4_compress_default");
        CompressFast = (delegate* unmanaged<byte*, byte*, int, int, int, int>)Export(handle, "LZ4_compress_fast");
        CompressHC = (delegate* unmanaged<byte*, byte*, int, int, int, int>)Export(handle, "LZ4_compress_HC");
        DecompressSafe = (delegate* unmanaged<byte*, byte*, int, int, int>)Export(handle, "LZ4_decompress_safe");
        CreateStream = (delegate* unmanaged<void*>)Export(handle, "LZ4_createStream");
        FreeStream = (delegate* unmanaged<void*, int>)Export(handle, "LZ4_freeStream");
        LoadDict = (delegate* unmanaged<void*, byte*, int, int>)Export(handle, "LZ4_loadDict");
        SaveDict = (delegate* unmanaged<void*, byte*, int, int>)Export(handle, "LZ4_saveDict");
        CompressFastContinue = (delegate* unmanaged<void*, byte*, byte*, int, int, int, int>)Export(handle, "LZ4_compress_fast_continue");
        CreateStreamDecode = (delegate* unmanaged<void*>)Export(handle, "LZ4_createStreamDecode");
        FreeStreamDecode = (delegate* unmanaged<void*, int>)Export(handle, "LZ4_freeStreamDecode");
        SetStreamDecode = (delegate* unmanaged<void*, byte*, int, int>)Export(handle, "LZ4_setStreamDecode");
        DecompressSafeContinue = (delegate* unmanaged<void*, byte*, byte*, int, int, int>)Export(handle, "LZ4_decompress_safe_continue");
        VersionNumber = (delegate* unmanaged<int>)Export(handle, "LZ4_versionNumber");
    }

    /// <summary>The loaded library; throws <see cref="DllNotFoundException"/> (every time) if it cannot be loaded.</summary>
    public static Lz4Library Instance => s_binding.Instance;

    public static bool IsAvailable => s_binding.IsAvailable;

    /// <summary>Loads the first of <paramref name="names"/> that exists and has every entry point, or explains why none did.</summary>
    internal static bool TryLoad(ReadOnlySpan<string> names, out Lz4Library? library, out string? error) =>
        s_binding.TryLoad(names, out library, out error);

    private static nint Export(nint handle, string name) => NativeBinding<Lz4Library>.Export(handle, name);
}
