using System.Security.Claims;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Microsoft.IdentityModel.Validators;
using Zawaroom.Members;
using Zawaroom.Sites;

namespace Zawaroom.Identity.Entra;

/// <summary>
/// Validates bearer tokens of the customer's Entra ID (<c>aad</c>, multi-tenant) and of Zawaroom's
/// B2C tenant (<c>aad-b2c</c>): signature against the authority's JWKS, issuer, audience, lifetime.
/// Metadata and keys are fetched and cached by the IdentityModel <see cref="ConfigurationManager{T}"/>
/// (refreshed when a token names an unknown key); the multi-tenant issuer check is
/// Microsoft.Identity.Web's <see cref="AadIssuerValidator"/> (the issuer must be the one of the
/// tenant the token's <c>tid</c> names). Site rules are not applied here: see <see cref="CallerResolver"/>.
/// </summary>
public sealed class EntraTokenValidator : IExternalTokenValidator
{
    readonly IReadOnlyList<EntraAuthority> _authorities;

    public EntraTokenValidator(EntraOptions options, HttpClient http, TimeProvider clock, ILogger<EntraTokenValidator> log)
    {
        var authorities = new List<EntraAuthority>();
        if (!string.IsNullOrWhiteSpace(options.Aad.ClientId))
            authorities.Add(new EntraAuthority(AuthType.Aad, options.Aad.MetadataAddress, options.Aad.ClientId, options.Aad.Authority,
                options.Aad.AllowedTenants, http, options.AllowHttpMetadata, clock, log));
        if (options.AadB2c.IsConfigured)
            authorities.Add(new EntraAuthority(AuthType.AadB2c, options.AadB2c.MetadataAddress, options.AadB2c.ClientId!, null,
                [], http, options.AllowHttpMetadata, clock, log));
        _authorities = authorities;
    }

    public bool IsConfigured => _authorities.Count > 0;

    public async Task<ExternalIdentity?> Validate(string token, CancellationToken ct)
    {
        foreach (var authority in _authorities)
        {
            var identity = await authority.Validate(token, ct);
            if (identity is not null) return identity;
        }
        return null;
    }

    /// <summary>Who the claims of a validated token say the person is; null without a usable e-mail.</summary>
    public static ExternalIdentity? IdentityOf(ClaimsIdentity claims, AuthType authType)
    {
        // Entra ID: preferred_username (usually the UPN, an e-mail), then email. B2C: the "emails" claim.
        string[] emailClaims = [ClaimConstants.PreferredUserName, "email", "emails", "upn"];
        // A guest's UPN ("someone_mail.example#EXT#@host.onmicrosoft.com") is not their address: skip it.
        var email = emailClaims.SelectMany(type => claims.FindAll(type)).Select(c => c.Value.Trim())
            .FirstOrDefault(value => Emails.IsValid(value) && !value.Contains("#EXT#", StringComparison.OrdinalIgnoreCase));
        if (email is null) return null;
        var name = claims.FindFirst(ClaimConstants.Name)?.Value;
        var tenant = claims.FindFirst(ClaimConstants.Tid)?.Value;
        return new ExternalIdentity(Emails.Normalize(email), string.IsNullOrWhiteSpace(name) ? null : name.Trim(), authType, tenant);
    }
}

/// <summary>One authority (an Entra ID app or a B2C user flow): its metadata, keys and rules.</summary>
sealed class EntraAuthority
{
    static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    readonly AuthType _type;
    readonly string _clientId;
    readonly IReadOnlyList<string> _allowedTenants;
    readonly ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    readonly AadIssuerValidator? _aadIssuer;
    readonly TimeProvider _clock;
    readonly ILogger _log;
    readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public EntraAuthority(AuthType type, string metadataAddress, string clientId, string? aadAuthority, IReadOnlyList<string> allowedTenants,
        HttpClient http, bool allowHttp, TimeProvider clock, ILogger log)
    {
        _type = type;
        _clientId = clientId;
        _allowedTenants = allowedTenants;
        _clock = clock;
        _log = log;
        _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(metadataAddress, new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http) { RequireHttps = !allowHttp });
        if (aadAuthority is not null)
            _aadIssuer = AadIssuerValidator.GetAadIssuerValidator(aadAuthority, http, _ => _configuration);
    }

    public async Task<ExternalIdentity?> Validate(string token, CancellationToken ct)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _configuration.GetConfigurationAsync(ct);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            _log.LogWarning(e, "The {AuthType} metadata could not be read; its tokens are refused.", _type);
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters(configuration));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Keys roll over: read the metadata again once, then decide.
            _configuration.RequestRefresh();
            result = await _handler.ValidateTokenAsync(token, Parameters(await _configuration.GetConfigurationAsync(ct)));
        }
        if (!result.IsValid)
        {
            _log.LogDebug(result.Exception, "A token was refused by the {AuthType} authority.", _type);
            return null;
        }

        var identity = EntraTokenValidator.IdentityOf(result.ClaimsIdentity, _type);
        if (identity is null)
        {
            _log.LogInformation("A valid {AuthType} token carried no e-mail address; refused.", _type);
            return null;
        }
        if (_allowedTenants.Count > 0 && !_allowedTenants.Contains(identity.TenantId ?? "", StringComparer.OrdinalIgnoreCase))
        {
            _log.LogInformation("A token of tenant {Tenant} was refused: not one of Zawaroom:Identity:Aad:AllowedTenants.", identity.TenantId);
            return null;
        }
        return identity;
    }

    TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration)
    {
        var parameters = new TokenValidationParameters
        {
            ValidAudiences = [_clientId, $"api://{_clientId}"],
            ValidIssuer = configuration.Issuer,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now + ClockSkew) && expires is not null && expires > now - ClockSkew;
            },
        };
        // Multi-tenant Entra ID: the metadata's issuer is "…/{tenantid}/v2.0"; the token's issuer must
        // be that template filled with the token's own tid.
        if (_aadIssuer is not null) parameters.IssuerValidator = _aadIssuer.Validate;
        return parameters;
    }
}
