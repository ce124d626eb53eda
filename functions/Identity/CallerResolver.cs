using Zawaroom.Common;
using Zawaroom.Members;
using Zawaroom.Sites;

namespace Zawaroom.Identity;

/// <summary>
/// Turns a request's bearer token into the <see cref="Caller"/> of the request's site, applying the
/// site's login rules: the provider must be enabled (S4), the domain allowed, and the person a member
/// or admitted by auto-registration (U5). Used by the API access filter and by the live room.
/// </summary>
public sealed class CallerResolver(LocalTokens localTokens, IExternalTokenValidator external, MemberDirectory members,
    Microsoft.Extensions.Options.IOptions<AuthOptions> auth)
{
    const string CallerKey = "zawaroom.caller";

    public async Task<Caller?> Resolve(HttpContext context, SiteContext site)
    {
        if (context.Items.TryGetValue(CallerKey, out var cached)) return cached as Caller;
        var token = BearerToken(context);
        var caller = token is null ? null : await FromToken(token, site.Site, context.RequestAborted);
        context.Items[CallerKey] = caller;
        return caller;
    }

    /// <summary>The Authorization header's bearer token. Never the query: a token in a URL ends up in logs and histories.</summary>
    public static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    /// <summary>
    /// The room hub's token: browsers cannot set headers on WebSocket/EventSource requests, so SignalR sends it as
    /// <c>access_token</c> in the query; only the hub's own path reads it from there.
    /// </summary>
    public static string? HubToken(HttpContext context)
    {
        if (BearerToken(context) is { } header) return header;
        var query = context.Request.Query["access_token"].ToString();
        return string.IsNullOrEmpty(query) ? null : query;
    }

    /// <summary>The caller for a token on this site, or null when the token does not let anyone in here.</summary>
    public async Task<Caller?> FromToken(string token, Site site, CancellationToken ct)
    {
        if (LocalTokens.LooksLocal(token))
        {
            // Issued while the local login was on: worthless once it is off (U6).
            if (!auth.Value.LocalLogin) return null;
            var local = await localTokens.Validate(token);
            if (local is null || local.Value.SiteId != site.Id) return null;
            var member = await members.Find(site.Id, local.Value.Email, ct);
            return member is null || member.RegistrationKey != local.Value.Registration
                ? null : new Caller(site.Id, member.Email, member.Name, member.Role, AuthType.Local);
        }

        var identity = await external.Validate(token, ct);
        if (identity is null) return null;
        if (!site.AuthLoginProviders.Any(p => p.Enable && p.AuthType == identity.AuthType)) return null;
        var admitted = await Admit(site, identity.Email, identity.Name, identity.AuthType, ct);
        return new Caller(site.Id, admitted.Email, admitted.Name, admitted.Role, identity.AuthType);
    }

    /// <summary>
    /// U5: a registered member is let in; an unregistered one is registered as a user when the site's
    /// registration type admits their domain, else refused with 403 <c>not-registered</c>.
    /// </summary>
    public async Task<Member> Admit(Site site, string email, string? name, AuthType authType, CancellationToken ct)
    {
        var domain = Emails.DomainOf(email);
        if (authType != AuthType.AadB2c && site.AllowDomainNames.Count > 0
            && !site.AllowDomainNames.Contains(domain, StringComparer.OrdinalIgnoreCase))
            throw Problems.Of(403, "domain-not-allowed", "Domain not allowed", $"Accounts of '{domain}' cannot sign in to this site.");

        var existing = await members.Find(site.Id, email, ct);
        if (existing is not null) return existing;

        var selfRegistration = authType != AuthType.AadB2c && site.UserRegisterType switch
        {
            UserRegisterType.FullAuto => true,
            UserRegisterType.SemiAuto => site.AutoRegisterDomainNames.Contains(domain, StringComparer.OrdinalIgnoreCase),
            _ => false,
        };
        if (!selfRegistration)
            throw Problems.Of(403, "not-registered", "Not registered", "Ask a site administrator to register you on this site.");
        try
        {
            return await members.Add(site, email, name, authType == AuthType.Local ? AuthType.Aad : authType, Roles.User, ct);
        }
        catch (ProblemException p) when (p.Code == "member-exists")
        {
            return (await members.Find(site.Id, email, ct))!;
        }
    }
}
