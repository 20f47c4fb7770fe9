using System.Runtime.InteropServices;

namespace Codecs.Native;

/// <summary>
/// Loads a native library once, by explicit file names, and binds its entry points into a <typeparamref name="TLibrary"/>
/// of unmanaged function pointers.
/// </summary>
/// <remarks>
/// Loading by explicit name and <see cref="NativeLibrary.TryGetExport"/> (instead of <c>[LibraryImport]</c> plus an
/// assembly-wide <see cref="NativeLibrary.SetDllImportResolver"/>) works without the <c>-dev</c> package's unversioned
/// symlink, leaves the assembly's one resolver slot free, and turns a missing library into one clear
/// <see cref="DllNotFoundException"/> (naming the Debian package) at the call instead of a type-initialisation failure.
/// A failed load is remembered: every later call throws the same message without probing the disk again.
/// </remarks>
internal sealed class NativeBinding<TLibrary>
    where TLibrary : class
{
    private readonly string _description;
    private readonly string[] _names;
    private readonly string _installHint;
    private readonly Func<nint, TLibrary> _bind;
    private readonly Lock _gate = new();
    private TLibrary? _instance;
    private string? _loadError;

    /// <param name="description">The library as a person names it, e.g. "liblz4".</param>
    /// <param name="names">File names to try, most specific (the Debian soname) first.</param>
    /// <param name="installHint">What to do when none loads, e.g. the apt-get line.</param>
    /// <param name="bind">Reads every entry point from a loaded handle; throws <see cref="EntryPointNotFoundException"/> for a missing one.</param>
    public NativeBinding(string description, string[] names, string installHint, Func<nint, TLibrary> bind)
    {
        _description = description;
        _names = names;
        _installHint = installHint;
        _bind = bind;
    }

    /// <summary>The loaded library; throws <see cref="DllNotFoundException"/> (every time) if it cannot be loaded.</summary>
    public TLibrary Instance => Volatile.Read(ref _instance) ?? LoadShared();

    public bool IsAvailable
    {
        get
        {
            if (Volatile.Read(ref _instance) is not null)
            {
                return true;
            }

            try
            {
                _ = LoadShared();
                return true;
            }
            catch (DllNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Loads the first of <paramref name="names"/> that exists and has every entry point, or explains why none did.</summary>
    public bool TryLoad(ReadOnlySpan<string> names, out TLibrary? library, out string? error)
    {
        var problems = new List<string>();
        foreach (string name in names)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle))
            {
                problems.Add($"'{name}' not found");
                continue;
            }

            try
            {
                library = _bind(handle);
                error = null;
                return true;
            }
            catch (EntryPointNotFoundException ex)
            {
                problems.Add($"'{name}' lacks {ex.Message}");
            }
        }

        library = null;
        error = $"{_description} could not be loaded ({string.Join("; ", problems)}). {_installHint}";
        return false;
    }

    /// <summary>The address of <paramref name="name"/> in <paramref name="handle"/>, or <see cref="EntryPointNotFoundException"/>.</summary>
    public static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out nint address) ? address : throw new EntryPointNotFoundException(name);

    private TLibrary LoadShared()
    {
        lock (_gate)
        {
            if (_instance is not null)
            {
                return _instance;
            }

            if (_loadError is null)
            {
                if (TryLoad(_names, out TLibrary? library, out string? error))
                {
                    Volatile.Write(ref _instance, library);
                    return library!;
                }

                _loadError = error;
            }

            throw new DllNotFoundException(_loadError);
        }
    }
}
