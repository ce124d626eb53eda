using System.Security.Claims;
using Zawaroom.Common;

namespace Zawaroom.Identity;

/// <summary>
/// Tokens of the local login (U6): bound to one site and one member, issued only when
/// <c>Zawaroom:Auth:LocalLogin</c> is on.
/// </summary>
public sealed class LocalTokens(string keyFile, TimeProvider clock)
{
    public const string Issuer = "zawaroom-local";
    public const string SiteClaim = "zw_site";
    public const string RegistrationClaim = "zw_reg";

    readonly SignedTokens _tokens = new(keyFile, Issuer, "zawaroom", TimeSpan.FromHours(12), clock);

    /// <summary>A token for this registration of the member: deleted and added again, the member needs a new one.</summary>
    public string Issue(string siteId, string email, string name, string registration) => _tokens.Issue(
        new Claim("sub", email), new Claim("email", email), new Claim("name", name), new Claim(SiteClaim, siteId), new Claim(RegistrationClaim, registration));

    public static bool LooksLocal(string token) => SignedTokens.IssuerOf(token) == Issuer;

    /// <summary>(siteId, email, registration) of a valid local token, else null.</summary>
    public async Task<(string SiteId, string Email, string Registration)?> Validate(string token)
    {
        var claims = await _tokens.Validate(token);
        return claims is not null && claims.TryGetValue(SiteClaim, out var site) && claims.TryGetValue("email", out var email)
            && claims.TryGetValue(RegistrationClaim, out var registration)
            ? (site, email, registration)
            : null;
    }
}
