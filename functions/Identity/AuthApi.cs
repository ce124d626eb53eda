using Zawaroom.Common;
using Zawaroom.Identity.Entra;
using Zawaroom.Members;
using Zawaroom.Rooms;
using Zawaroom.Sites;

namespace Zawaroom.Identity;

public sealed class AuthOptions
{
    /// <summary>Turns on <c>POST /api/auth/local</c> (U6). Never allowed in Production.</summary>
    public bool LocalLogin { get; set; }
}

/// <summary>The login page's data, the local login and "who am I".</summary>
public static class AuthApi
{
    public sealed record LocalLoginRequest(string? Email);
    /// <summary>A login button; <c>Client</c> (Entra ID / B2C only) is how the browser signs in, null when this server has no such provider configured.</summary>
    public sealed record LoginOption(string Name, AuthType AuthType, string Url, EntraClient? Client = null);
    public sealed record LoginOptions(IReadOnlyList<LoginOption> Providers, bool ShowSiteLink, string? SiteLinkName, string? SiteLinkUrl);
    public sealed record Me(string Email, string Name, string Role, IReadOnlyList<string> RoomAdminOf, string SiteId, string Subdomain);

    public static void MapAuth(this RouteGroupBuilder api)
    {
        api.MapGet("/login-options", (HttpContext http, Microsoft.Extensions.Options.IOptions<AuthOptions> auth, Microsoft.Extensions.Options.IOptions<EntraOptions> entra) =>
        {
            var site = http.RequireSite().Site;
            var basePath = http.Request.PathBase.Value ?? "";
            var providers = site.AuthLoginProviders.Where(p => p.Enable)
                .Select(p => new LoginOption(p.Name, p.AuthType, $"{basePath}/auth/{p.Id}", EntraClient.For(p.AuthType, entra.Value))).ToList();
            if (auth.Value.LocalLogin)
                providers.Add(new LoginOption("ローカルログイン（開発用）", AuthType.Local, $"{basePath}/api/auth/local"));
            return new LoginOptions(providers, site.ShowSiteLink, site.SiteLinkName, site.SiteLinkUrl);
        }).Allow(Access.Anonymous).WithTags("Auth");

        api.MapPost("/auth/local", async (HttpContext http, LocalLoginRequest body, Microsoft.Extensions.Options.IOptions<AuthOptions> auth,
            CallerResolver callers, LocalTokens tokens, CancellationToken ct) =>
        {
            if (!auth.Value.LocalLogin) throw Problems.NotFound("Local login is off.");
            if (!Emails.IsValid(body.Email?.Trim())) throw Problems.Validation("email must be an e-mail address.");
            var site = http.RequireSite().Site;
            var member = await callers.Admit(site, body.Email!.Trim(), null, AuthType.Local, ct);
            return new { token = tokens.Issue(site.Id, member.Email, member.Name, member.RegistrationKey), email = member.Email, name = member.Name, role = member.Role };
        }).Allow(Access.Anonymous).WithTags("Auth");

        api.MapGet("/me", async (HttpContext http, RoomDirectory rooms, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var site = http.RequireSite().Site;
            return new Me(caller.Email, caller.Name, caller.Role, await rooms.RoomsAdministeredBy(site.Id, caller.Email, ct), site.Id, site.Subdomain);
        }).Allow(Access.Member).WithTags("Auth");
    }
}
