using System.Diagnostics;
using System.Text;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>Runs the real SPICE clients installed by <c>.ci/install-deps</c>; a missing client fails the test, never skips it.</summary>
internal static class ExternalClient
{
    /// <summary>Runs spicy-screenshot against 127.0.0.1:<paramref name="port"/> and returns the PPM it wrote.</summary>
    public static async Task<Ppm> ScreenshotAsync(int port, string? password, CancellationToken cancellationToken, string? caFile = null)
    {
        string output = Path.Combine(Path.GetTempPath(), $"spice-{Guid.NewGuid():N}.ppm");
        try
        {
            var start = new ProcessStartInfo("spicy-screenshot")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            // With only a secure port (-s), every channel uses TLS; OpenSSL takes the CA from SSL_CERT_FILE.
            foreach (string arg in (string[])["-h", "127.0.0.1", caFile is null ? "-p" : "-s", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output])
            {
                start.ArgumentList.Add(arg);
            }

            if (caFile is not null)
            {
                start.Environment["SSL_CERT_FILE"] = caFile;
            }

            if (password is not null)
            {
                start.ArgumentList.Add("-w");
                start.ArgumentList.Add(password);
            }

            using Process process = Process.Start(start) ?? throw new InvalidOperationException("spicy-screenshot did not start");
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill();
                Assert.Fail("spicy-screenshot did not finish within 60 s: " + await stderr);
            }

            Assert.True(process.ExitCode == 0, $"spicy-screenshot exited with {process.ExitCode}: {await stdout} {await stderr}");
            return Ppm.Read(await File.ReadAllBytesAsync(output, cancellationToken));
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Runs spicy-screenshot expecting it to fail (exit code ≠ 0).</summary>
    public static async Task<int> ScreenshotExitCodeAsync(int port, string? password, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("spicy-screenshot") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in (string[])["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", Path.Combine(Path.GetTempPath(), $"spice-{Guid.NewGuid():N}.ppm")])
        {
            start.ArgumentList.Add(arg);
        }

        if (password is not null)
        {
            start.ArgumentList.Add("-w");
            start.ArgumentList.Add(password);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("spicy-screenshot did not start");
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }
}

/// <summary>A binary PPM (P6, maxval 255).</summary>
internal sealed record Ppm(int Width, int Height, byte[] Rgb)
{
    public static Ppm Read(byte[] file)
    {
        int pos = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)file[pos]))
            {
                pos++;
            }

            int start = pos;
            while (!char.IsWhiteSpace((char)file[pos]))
            {
                pos++;
            }

            return Encoding.ASCII.GetString(file, start, pos - start);
        }

        Assert.Equal("P6", Token());
        int width = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("255", Token());
        pos++; // the single whitespace after maxval
        Assert.Equal(width * height * 3, file.Length - pos);
        return new Ppm(width, height, file[pos..]);
    }

    /// <summary>Pixels whose R, G or B differs from the B,G,R,X <paramref name="frame"/>.</summary>
    public int CountDifferences(ReadOnlySpan<byte> frame, int stride)
    {
        int differences = 0;
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int f = y * stride + x * 4;
                int p = (y * Width + x) * 3;
                if (Rgb[p] != frame[f + 2] || Rgb[p + 1] != frame[f + 1] || Rgb[p + 2] != frame[f])
                {
                    differences++;
                }
            }
        }

        return differences;
    }

    /// <summary>
    /// Where the B,G,R,X <paramref name="frame"/> appears in this (larger) picture: the position whose 32-pixel
    /// signature from the frame's middle row matches, then verified in full by the caller. Null when not found.
    /// </summary>
    public (int X, int Y)? Locate(ReadOnlySpan<byte> frame, int stride, int frameWidth, int frameHeight)
    {
        (int row, int column) = Signature(frame, stride, frameWidth, frameHeight);
        for (int y = row; y <= Height - (frameHeight - row); y++)
        {
            for (int x = column; x <= Width - (frameWidth - column); x++)
            {
                bool match = true;
                for (int i = 0; i < 32 && match; i++)
                {
                    int f = row * stride + (column + i) * 4;
                    int p = (y * Width + x + i) * 3;
                    match = Rgb[p] == frame[f + 2] && Rgb[p + 1] == frame[f + 1] && Rgb[p + 2] == frame[f];
                }

                if (match)
                {
                    return (x - column, y - row);
                }
            }
        }

        return null;
    }

    /// <summary>Pixels of the frame-sized area at (<paramref name="left"/>, <paramref name="top"/>) that differ from the frame.</summary>
    public int CountDifferencesAt(int left, int top, ReadOnlySpan<byte> frame, int stride, int frameWidth, int frameHeight)
    {
        int differences = 0;
        for (int y = 0; y < frameHeight; y++)
        {
            for (int x = 0; x < frameWidth; x++)
            {
                int f = y * stride + x * 4;
                int p = ((top + y) * Width + left + x) * 3;
                if (Rgb[p] != frame[f + 2] || Rgb[p + 1] != frame[f + 1] || Rgb[p + 2] != frame[f])
                {
                    differences++;
                }
            }
        }

        return differences;
    }

    // A 32-pixel run with many colour changes, so that the search cannot lock onto a flat area.
    private static (int Row, int Column) Signature(ReadOnlySpan<byte> frame, int stride, int frameWidth, int frameHeight)
    {
        for (int r = frameHeight / 2; r < frameHeight; r += 7)
        {
            for (int c = 0; c + 33 <= frameWidth; c += 32)
            {
                int changes = 0;
                for (int i = 1; i < 32; i++)
                {
                    int a = r * stride + (c + i) * 4;
                    if (frame[a] != frame[a - 4] || frame[a + 1] != frame[a - 3] || frame[a + 2] != frame[a - 2])
                    {
                        changes++;
                    }
                }

                if (changes >= 16)
                {
                    return (r, c);
                }
            }
        }

        return (frameHeight / 2, frameWidth / 2);
    }
}
