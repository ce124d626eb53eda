using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Zawaroom.ZoomSync;

/// <summary>Z8: Zoom's webhook proofs, as pure functions.</summary>
public static class ZoomWebhookSignature
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>endpoint.url_validation: encryptedToken = hex HMAC-SHA256(secret token, plainToken).</summary>
    public static string EncryptedToken(string secretToken, string plainToken) => Hex(secretToken, plainToken);

    /// <summary>x-zm-signature = "v0=" + hex HMAC-SHA256(secret token, "v0:{timestamp}:{body}").</summary>
    public static string Signature(string secretToken, string timestamp, string body) => "v0=" + Hex(secretToken, $"v0:{timestamp}:{body}");

    /// <summary>Null when the request is Zoom's and fresh, else why it is refused.</summary>
    public static string? Check(string secretToken, string? timestamp, string? signature, string body, DateTimeOffset now)
    {
        if (CheckHeaders(timestamp, signature, now) is { } refused) return refused;
        var expected = Encoding.ASCII.GetBytes(Signature(secretToken, timestamp, body));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? null : "The signature does not match.";
    }

    /// <summary>The checks that need no body and no secret: both headers there, the timestamp a sane number close to now.</summary>
    public static string? CheckHeaders(string? timestamp, string? signature, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)) return "The signature headers are missing.";
        if (signature.Length > 100) return "The signature is not a v0 HMAC.";
        // At most 13 digits: seconds or milliseconds of this era; anything longer is no time at all (and would overflow).
        if (timestamp.Length > 13 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return "The timestamp is not a Unix time.";
        // Zoom sends seconds; milliseconds are accepted too so that a change of unit does not lock us out.
        var at = value > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(value) : DateTimeOffset.FromUnixTimeSeconds(value);
        return (now - at).Duration() > MaxAge ? "The timestamp is more than 5 minutes away from now." : null;
    }

    static string Hex(string key, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message)));
}
