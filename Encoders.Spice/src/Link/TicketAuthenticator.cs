using System.Security.Cryptography;
using System.Text;

namespace Encoders.Spice.Link;

/// <summary>
/// The server's RSA-1024 key and the ticket check: the client encrypts the password plus a NUL with RSA-OAEP
/// (SHA-1, MGF1-SHA-1) under the public key from the link reply. Without a password the ticket is read and ignored
/// (spice-html5 sometimes sends a corrupt one, see the research notes §1).
/// </summary>
internal sealed class TicketAuthenticator : IDisposable
{
    private readonly RSA _rsa = RSA.Create(1024);
    private readonly byte[]? _password;
    private readonly DateTimeOffset? _expiry;
    private readonly TimeProvider _time;

    public TicketAuthenticator(string? password, DateTimeOffset? expiry, TimeProvider time)
    {
        if (password is not null)
        {
            _password = Encoding.UTF8.GetBytes(password);
            if (_password.Length > 60)
            {
                throw new ArgumentException("SPICE passwords are at most 60 bytes.", nameof(password));
            }
        }

        _expiry = expiry;
        _time = time;
        PublicKey = _rsa.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The 162-byte X.509 SubjectPublicKeyInfo DER sent in every link reply (clients parse it even without a password).</summary>
    public byte[] PublicKey { get; }

    public bool PasswordRequired => _password is not null;

    public bool Check(ReadOnlySpan<byte> ticket, out string reason)
    {
        reason = "";
        if (_password is null)
        {
            return true;
        }

        if (_expiry is { } expiry && _time.GetUtcNow() >= expiry)
        {
            reason = "ticket expired";
            return false;
        }

        // spice-html5 drops leading zero bytes of the ciphertext and pads at the end; undo up to 3 of them.
        Span<byte> shifted = stackalloc byte[LinkProtocol.TicketLength];
        for (int k = 0; k <= 3; k++)
        {
            if (k > 0 && ticket[^k..].IndexOfAnyExcept((byte)0) >= 0)
            {
                break;
            }

            shifted.Clear();
            ticket[..^k].CopyTo(shifted[k..]);
            if (TryDecrypt(k == 0 ? ticket : shifted, out byte[]? plain))
            {
                int end = Array.IndexOf(plain, (byte)0);
                ReadOnlySpan<byte> given = end >= 0 ? plain.AsSpan(0, end) : plain;
                if (CryptographicOperations.FixedTimeEquals(given, _password))
                {
                    return true;
                }

                reason = "wrong password";
                return false;
            }
        }

        reason = "ticket does not decrypt";
        return false;
    }

    public void Dispose() => _rsa.Dispose();

    private bool TryDecrypt(ReadOnlySpan<byte> ticket, out byte[] plain)
    {
        try
        {
            plain = _rsa.Decrypt(ticket.ToArray(), RSAEncryptionPadding.OaepSHA1);
            return true;
        }
        catch (CryptographicException)
        {
            plain = [];
            return false;
        }
    }
}
