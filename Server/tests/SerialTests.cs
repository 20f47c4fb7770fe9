using Xunit;

namespace Server.Tests;

/// <summary>
/// Tests whose outcome depends on wall-clock timing of external programs (ffmpeg grabbing an X display at a frame
/// rate) run alone, not next to the interop tests that keep both cores busy with real clients.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "Serial (timing-sensitive)";
}
