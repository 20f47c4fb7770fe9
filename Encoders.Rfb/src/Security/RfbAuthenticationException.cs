namespace Encoders.Rfb.Security;

/// <summary>A client failed authentication (wrong password, or a security type the server did not offer).</summary>
public sealed class RfbAuthenticationException : Exception
{
    public RfbAuthenticationException()
    {
    }

    public RfbAuthenticationException(string message)
        : base(message)
    {
    }

    public RfbAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
