namespace Encoders.Spice.Tests.Support;

internal static class Corpus
{
    public static string Directory { get; } = Find();

    public static string Trace(string name) => Path.Combine(Directory, name + ".fbt");

    private static string Find()
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
