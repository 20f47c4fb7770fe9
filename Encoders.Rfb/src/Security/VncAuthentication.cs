using System.Security.Cryptography;
using System.Text;

namespace Encoders.Rfb.Security;

/// <summary>
/// VNC authentication (security type 2): the server sends a 16-byte random challenge, the client returns it
/// DES-ECB-encrypted with the password (first 8 bytes, zero-padded) as key — each key byte bit-reversed, because
/// the original implementation numbered DES key bits from the least significant bit (rfbproto §7.2.2).
/// </summary>
// DES is what the protocol specifies; VeNCrypt over TLS is the secure option.
#pragma warning disable CA5351
public sealed class VncAuthentication
{
    public const int ChallengeSize = 16;

    private readonly byte[] _key;

    /// <exception cref="ArgumentException">The password maps to a DES weak or semi-weak key (e.g. the empty password).</exception>
    public VncAuthentication(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        _key = DeriveKey(password);
        if (DES.IsWeakKey(_key) || DES.IsSemiWeakKey(_key))
        {
            throw new ArgumentException("This password gives a DES weak key (the empty password does); choose another.", nameof(password));
        }
    }

    /// <summary>The DES key: the password's first 8 bytes (Latin-1, zero-padded), each byte's bits reversed.</summary>
    public static byte[] DeriveKey(string password)
    {
        byte[] key = new byte[8];
        byte[] bytes = Encoding.Latin1.GetBytes(password);
        for (int i = 0; i < key.Length && i < bytes.Length; i++)
        {
            key[i] = ReverseBits(bytes[i]);
        }

        return key;
    }

    public static byte[] CreateChallenge() => RandomNumberGenerator.GetBytes(ChallengeSize);

    /// <summary>The response a client knowing the password sends for <paramref name="challenge"/>.</summary>
    public byte[] ExpectedResponse(ReadOnlySpan<byte> challenge)
    {
        using var des = DES.Create();
        des.Key = _key;
        return des.EncryptEcb(challenge, PaddingMode.None);
    }

    /// <summary>Compares in constant time.</summary>
    public bool Verify(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> response) =>
        response.Length == ChallengeSize && CryptographicOperations.FixedTimeEquals(ExpectedResponse(challenge), response);

    private static byte ReverseBits(byte b)
    {
        int r = 0;
        for (int i = 0; i < 8; i++)
        {
            r = (r << 1) | ((b >> i) & 1);
        }

        return (byte)r;
    }
}
#pragma warning restore CA5351
