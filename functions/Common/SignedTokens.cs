using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zawaroom.Common;

/// <summary>
/// Short HS256 JWTs of one issuer and audience, signed with a key kept in a file of the data
/// directory (made on first use, so tokens survive a restart and every process sharing the folder
/// accepts them). Lifetimes are read from <see cref="TimeProvider"/>, so tests can move time.
/// </summary>
public sealed class SignedTokens
{
    readonly string _issuer;
    readonly string _audience;
    readonly TimeSpan _lifetime;
    readonly TimeProvider _clock;
    readonly SymmetricSecurityKey _key;
    readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public SignedTokens(string keyFile, string issuer, string audience, TimeSpan lifetime, TimeProvider clock)
    {
        (_issuer, _audience, _lifetime, _clock) = (issuer, audience, lifetime, clock);
        _key = new SymmetricSecurityKey(LoadOrCreateKey(keyFile));
    }

    public string Issue(params Claim[] claims)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer,
            Audience = _audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _lifetime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The token's string claims when it is valid (signature, issuer, audience, lifetime), else null.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> Validate(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = _issuer,
            ValidAudience = _audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now.AddMinutes(1)) && expires is not null && expires > now;
            },
        });
        if (!result.IsValid) return null;
        return result.Claims.Where(c => c.Value is string).ToDictionary(c => c.Key, c => (string)c.Value);
    }

    public static string? IssuerOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether a (validated) token was issued before <paramref name="moment"/>, to the second its "iat" has: a token of
    /// a member's earlier registration predates the current one.
    /// </summary>
    public static bool IssuedBefore(string token, DateTimeOffset moment)
    {
        try
        {
            var issued = new JsonWebToken(token).IssuedAt;
            return issued != DateTime.MinValue && issued < moment.UtcDateTime.AddTicks(-(moment.UtcTicks % TimeSpan.TicksPerSecond));
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>Two processes starting at once agree on the key that was written first.</summary>
    static byte[] LoadOrCreateKey(string keyFile)
    {
        if (File.Exists(keyFile)) return Read(keyFile);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            // Readable by the app's user only: whoever reads the key can sign tokens.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var file = new FileStream(keyFile, options);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            return key;
        }
        catch (IOException) when (File.Exists(keyFile))
        {
            return Read(keyFile);
        }
    }

    static byte[] Read(string keyFile) => Convert.FromBase64String(File.ReadAllText(keyFile).Trim());
}
