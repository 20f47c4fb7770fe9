using System.Runtime.InteropServices;

namespace Damage.Tests.Support;

/// <summary>
/// Memory with an inaccessible (PROT_NONE) page on each side, so a kernel that reads one byte before or after its
/// range crashes the test instead of passing silently (the runtime's BoundedMemory idea).
/// </summary>
internal sealed unsafe partial class GuardedMemory : IDisposable
{
    private const int ProtNone = 0;
    private const int ProtReadWrite = 3;
    private const int MapPrivateAnonymous = 0x02 | 0x20;

    private readonly byte* _mapping;
    private readonly nuint _mappingLength;
    private readonly byte* _dataStart;
    private readonly nuint _dataPages;

    public GuardedMemory(int capacity)
    {
        nuint page = (nuint)Environment.SystemPageSize;
        _dataPages = ((nuint)capacity + page - 1) / page * page;
        if (_dataPages == 0)
        {
            _dataPages = page;
        }

        _mappingLength = _dataPages + 2 * page;
        _mapping = (byte*)Mmap(null, _mappingLength, ProtNone, MapPrivateAnonymous, -1, 0);
        if (_mapping == (byte*)-1)
        {
            throw new InvalidOperationException($"mmap failed: {Marshal.GetLastPInvokeError()}");
        }

        _dataStart = _mapping + page;
        if (Mprotect(_dataStart, _dataPages, ProtReadWrite) != 0)
        {
            throw new InvalidOperationException($"mprotect failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary><paramref name="length"/> bytes that end exactly at the trailing guard page.</summary>
    public Span<byte> AtEnd(int length) => new(_dataStart + _dataPages - (nuint)length, length);

    /// <summary><paramref name="length"/> bytes that start exactly after the leading guard page.</summary>
    public Span<byte> AtStart(int length) => new(_dataStart, length);

    public void Dispose() => _ = Munmap(_mapping, _mappingLength);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(void* address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(void* address, nuint length);
}
