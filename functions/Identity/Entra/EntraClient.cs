using Zawaroom.Sites;

namespace Zawaroom.Identity.Entra;

/// <summary>
/// What the browser needs to sign a person in with a provider by the OAuth 2.0 authorization code
/// flow with PKCE (a public SPA client: no secret): the provider's authorize and token endpoints and
/// the client id. The browser sends the id token it gets as the bearer token; the server validates
/// it (<see cref="EntraTokenValidator"/>: audience = this client id). For <c>aad-b2c</c> the sign-up
/// endpoints are those of <see cref="B2cAuthorityOptions.SignUpPolicyId"/> when one is configured, else
/// those of the sign-up/sign-in flow (whose page offers "Sign up now"): U5, B2C users sign up
/// themselves the first time. Null when the provider is not configured on this server.
/// </summary>
public sealed record EntraClient(string ClientId, string AuthorizeUrl, string TokenUrl, string Scope,
    string? SignUpAuthorizeUrl = null, string? SignUpTokenUrl = null)
{
    public static EntraClient? For(AuthType type, EntraOptions options) => type switch
    {
        AuthType.Aad when !string.IsNullOrWhiteSpace(options.Aad.ClientId) => Aad(options.Aad),
        AuthType.AadB2c when options.AadB2c.IsConfigured => B2c(options.AadB2c),
        _ => null,
    };

    static EntraClient Aad(AadAuthorityOptions o)
    {
        var root = $"{o.Instance.TrimEnd('/')}/{o.TenantId}/oauth2/v2.0";
        return new EntraClient(o.ClientId!, $"{root}/authorize", $"{root}/token", "openid profile email");
    }

    static EntraClient B2c(B2cAuthorityOptions o)
    {
        string Root(string policy) => $"{o.Instance!.TrimEnd('/')}/{o.Domain}/{policy}/oauth2/v2.0";
        var signIn = Root(o.SignUpSignInPolicyId!);
        var signUp = string.IsNullOrWhiteSpace(o.SignUpPolicyId) ? signIn : Root(o.SignUpPolicyId);
        return new EntraClient(o.ClientId!, $"{signIn}/authorize", $"{signIn}/token", "openid", $"{signUp}/authorize", $"{signUp}/token");
    }
}
