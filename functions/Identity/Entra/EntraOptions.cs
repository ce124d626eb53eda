namespace Zawaroom.Identity.Entra;

/// <summary>
/// <c>Zawaroom:Identity</c>: where the Entra ID (<c>aad</c>) and Azure AD B2C (<c>aad-b2c</c>)
/// authorities are. The property names are those of Microsoft.Identity.Web's <c>AzureAd</c> /
/// <c>AzureAdB2C</c> sections, so a deployment's settings read the same.
/// </summary>
public sealed class EntraOptions
{
    public const string Section = "Zawaroom:Identity";

    /// <summary>The customer's Entra ID, as a multi-tenant app (<c>aad</c>).</summary>
    public AadAuthorityOptions Aad { get; set; } = new();

    /// <summary>Zawaroom's own B2C tenant (<c>aad-b2c</c>).</summary>
    public B2cAuthorityOptions AadB2c { get; set; } = new();

    /// <summary>
    /// Lets metadata and keys be fetched over plain http. Only for the tests' local OIDC stand-in;
    /// the app refuses to start in Production with it on.
    /// </summary>
    public bool AllowHttpMetadata { get; set; }
}

public sealed class AadAuthorityOptions
{
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary><c>organizations</c> (any work or school tenant, the default) or one tenant's id.</summary>
    public string TenantId { get; set; } = "organizations";

    /// <summary>The app registration's client id: the audience of the tokens. Empty = <c>aad</c> off.</summary>
    public string? ClientId { get; set; }

    /// <summary>When not empty, only tokens of these tenant ids are accepted.</summary>
    public List<string> AllowedTenants { get; set; } = [];

    public string MetadataAddress => $"{Instance.TrimEnd('/')}/{TenantId}/v2.0/.well-known/openid-configuration";
    public string Authority => $"{Instance.TrimEnd('/')}/{TenantId}/v2.0";
}

public sealed class B2cAuthorityOptions
{
    /// <summary>e.g. https://zawaroom.b2clogin.com/</summary>
    public string? Instance { get; set; }

    /// <summary>e.g. zawaroom.onmicrosoft.com</summary>
    public string? Domain { get; set; }

    /// <summary>The sign-up/sign-in user flow, e.g. B2C_1_susi.</summary>
    public string? SignUpSignInPolicyId { get; set; }

    /// <summary>
    /// Optional: a sign-up-only user flow (e.g. B2C_1_signup) the login page's "first time" button uses.
    /// Empty = the sign-up/sign-in flow, whose page offers sign-up itself.
    /// </summary>
    public string? SignUpPolicyId { get; set; }

    /// <summary>The SPA/API registration's client id in the B2C tenant. Empty = <c>aad-b2c</c> off.</summary>
    public string? ClientId { get; set; }

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(Instance)
        && !string.IsNullOrWhiteSpace(Domain) && !string.IsNullOrWhiteSpace(SignUpSignInPolicyId);

    public string MetadataAddress =>
        $"{Instance!.TrimEnd('/')}/{Domain}/{SignUpSignInPolicyId}/v2.0/.well-known/openid-configuration";
}
