using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using Zawaroom.Live;

namespace Zawaroom.Realtime.AzureSignalR;

/// <summary><c>Zawaroom:SignalR</c>: the Azure SignalR Service the live room uses when the stores are Azure.</summary>
public sealed class AzureSignalROptions
{
    public const string Section = "Zawaroom:SignalR";

    /// <summary>"Endpoint=https://…;AccessKey=…;Version=1.0;" (from Key Vault in Azure); empty: the in-process hub.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The hub name on the service: the browser connects to <c>/client/?hub=room</c>.</summary>
    public string Hub { get; set; } = "room";
}

/// <summary>The parts of a SignalR Service connection string the app needs.</summary>
public sealed record SignalRConnection(Uri Endpoint, string AccessKey)
{
    /// <summary>
    /// Parses "Endpoint=…;AccessKey=…;Version=1.0;" (an optional <c>Port=</c> replaces the endpoint's
    /// port). Only key-based authentication is supported: a managed-identity string has no AccessKey.
    /// </summary>
    public static SignalRConnection Parse(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException("Zawaroom:SignalR:ConnectionString has no valid Endpoint=https://….");
        if (!parts.TryGetValue("AccessKey", out var key) || key.Length == 0)
            throw new InvalidOperationException("Zawaroom:SignalR:ConnectionString has no AccessKey; only key-based connection strings are supported.");
        var builder = new UriBuilder(uri) { Path = "", Query = "", Fragment = "" };
        if (parts.TryGetValue("Port", out var port) && int.TryParse(port, out var p)) builder.Port = p;
        return new SignalRConnection(new Uri(builder.Uri.GetLeftPart(UriPartial.Authority)), key);
    }

    /// <summary>"https://host[:port]" without a trailing slash.</summary>
    public string Base => Endpoint.GetLeftPart(UriPartial.Authority);
}

/// <summary>
/// The service's tokens: HS256 JWTs signed with the AccessKey (its UTF-8 bytes), <c>aud</c> = the URL
/// being called (no query) for the REST API, and the client URL for a client connection.
/// </summary>
public sealed class ServiceTokens(SignalRConnection connection, TimeProvider clock)
{
    public static readonly TimeSpan RestLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ClientLifetime = LiveTokens.Lifetime;

    readonly SymmetricSecurityKey _key = new(Encoding.UTF8.GetBytes(connection.AccessKey));
    readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string ForRest(Uri requestUrl) => Issue(requestUrl.GetLeftPart(UriPartial.Path), RestLifetime, []);

    public string ForClient(string clientUrl, IEnumerable<Claim> claims) => Issue(clientUrl, ClientLifetime, claims);

    string Issue(string audience, TimeSpan lifetime, IEnumerable<Claim> claims)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// <c>X-ASRS-Signature</c>: "sha256=" + hex HMAC-SHA256 of the connection id with an AccessKey, one
    /// value per key the service holds (comma-separated during key rotation); one matching value is enough.
    /// </summary>
    public static bool SignatureMatches(string accessKey, string? connectionId, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(connectionId) || string.IsNullOrEmpty(signatureHeader)) return false;
        var expected = Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.UTF8.GetBytes(connectionId))));
        foreach (var value in signatureHeader.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(value.ToLowerInvariant()))) return true;
        return false;
    }

    public static string Sign(string accessKey, string connectionId) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.UTF8.GetBytes(connectionId)));
}
