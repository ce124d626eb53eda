using Zawaroom.Sites;

namespace Zawaroom.Identity;

public static class Roles
{
    public const string SiteAdmin = "siteAdmin";
    public const string User = "user";
}

/// <summary>The authenticated member making a request, always of the request's site.</summary>
public sealed record Caller(string SiteId, string Email, string Name, string Role, AuthType AuthType)
{
    public bool IsSiteAdmin => Role == Roles.SiteAdmin;
}

/// <summary>
/// Who a validated external token says the person is. The validator only proves the token; the
/// site's rules (enabled providers, allowed domains, registration) are applied by <see cref="CallerResolver"/>.
/// </summary>
public sealed record ExternalIdentity(string Email, string? Name, AuthType AuthType, string? TenantId);

/// <summary>Validates an Entra ID / Azure AD B2C bearer token; null when it is not valid.</summary>
public interface IExternalTokenValidator
{
    Task<ExternalIdentity?> Validate(string token, CancellationToken ct);
}
