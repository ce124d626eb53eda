using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Identity;

namespace Zawaroom.Sites;

/// <summary>S3, S4: the site admin's site information and login providers.</summary>
public static class SiteAdminApi
{
    static readonly string[] ReadOnlyFields = ["id", "subdomain", "siteUrl", "defaultMediaServerUrl", "maxUsersCount"];

    public sealed record LoginProviderInput(string? Id, string? Name, bool? Enable, AuthType? AuthType);

    public static void MapSiteAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/site", (HttpContext http) =>
        {
            var site = http.RequireSite();
            http.Response.Headers.ETag = site.Stored.ETag;
            return SiteView.Of(site.Site);
        }).Allow(Access.SiteAdmin);
        api.MapPatch("/admin/site", PatchSite).Allow(Access.SiteAdmin);
        api.MapGet("/admin/login-providers", (HttpContext http) => http.RequireSite().Site.AuthLoginProviders).Allow(Access.SiteAdmin);
        api.MapPut("/admin/login-providers", PutLoginProviders).Allow(Access.SiteAdmin);
    }

    static async Task<SiteView> PatchSite(HttpContext http, JsonElement body, SiteDirectory sites, CancellationToken ct)
    {
        var context = http.RequireSite();
        var patch = new PatchBody(body);
        var refused = ReadOnlyFields.Where(patch.Has).ToList();
        if (refused.Count > 0)
            throw Problems.Forbidden($"Only the operator sets {string.Join(", ", refused)}.");

        var site = context.Site;
        if (patch.StringList("allowDomainNames") is { } allow) site = site with { AllowDomainNames = Domains(allow, "allowDomainNames") };
        if (patch.Enum<UserRegisterType>("userRegisterType") is { } type) site = site with { UserRegisterType = type };
        if (patch.StringList("autoRegisterDomainNames") is { } auto) site = site with { AutoRegisterDomainNames = Domains(auto, "autoRegisterDomainNames") };
        if (patch.Bool("showSiteLink") is { } show) site = site with { ShowSiteLink = show };
        if (patch.Has("siteLinkName")) site = site with { SiteLinkName = Limit(patch.String("siteLinkName", nullable: true), 40, "siteLinkName") };
        if (patch.Has("siteLinkUrl")) site = site with { SiteLinkUrl = HttpUrl(patch.String("siteLinkUrl", nullable: true)) };
        if (patch.Has("authLoginProviders"))
            site = site with { AuthLoginProviders = CheckProviders(body.GetProperty("authLoginProviders"), site.AuthLoginProviders) };
        patch.RejectUnknown();
        if (site.ShowSiteLink && (string.IsNullOrWhiteSpace(site.SiteLinkName) || site.SiteLinkUrl is null))
            throw Problems.Validation("Showing the site link needs siteLinkName and siteLinkUrl.");

        var ifMatch = http.Request.Headers.IfMatch.ToString();
        var saved = await sites.Replace(site, string.IsNullOrEmpty(ifMatch) ? context.Stored.ETag : ifMatch, ct);
        http.Response.Headers.ETag = saved.ETag;
        return SiteView.Of(saved.Value);
    }

    static async Task<IReadOnlyList<LoginProvider>> PutLoginProviders(HttpContext http, JsonElement body, SiteDirectory sites, CancellationToken ct)
    {
        var context = http.RequireSite();
        var providers = CheckProviders(body, context.Site.AuthLoginProviders);
        var saved = await sites.Replace(context.Site with { AuthLoginProviders = providers }, context.Stored.ETag, ct);
        return saved.Value.AuthLoginProviders;
    }

    /// <summary>
    /// S4: admins rename, enable/disable and reorder the site's providers; they cannot invent new
    /// ones or change what a provider authenticates with, and at least one stays enabled.
    /// </summary>
    static IReadOnlyList<LoginProvider> CheckProviders(JsonElement body, IReadOnlyList<LoginProvider> current)
    {
        List<LoginProviderInput>? input;
        try
        {
            input = body.Deserialize<List<LoginProviderInput>>(Json.Options);
        }
        catch (JsonException e)
        {
            throw Problems.Validation("Login providers must be a list of { id, name, enable, authType }: " + e.Message);
        }
        if (input is null) throw Problems.Validation("Login providers must be a list.");
        var ids = input.Select(p => p.Id).ToList();
        if (ids.Count != current.Count || ids.Distinct().Count() != ids.Count || current.Any(c => !ids.Contains(c.Id)))
            throw Problems.Validation("The list must hold each of the site's login providers exactly once: " + string.Join(", ", current.Select(c => c.Id)));
        var result = new List<LoginProvider>();
        foreach (var p in input)
        {
            var existing = current.Single(c => c.Id == p.Id);
            if (p.AuthType is { } t && t != existing.AuthType) throw Problems.Validation($"The provider '{p.Id}' authenticates with {existing.AuthType}; that cannot change.");
            var name = Limit(p.Name ?? existing.Name, 40, "name")!;
            if (string.IsNullOrWhiteSpace(name)) throw Problems.Validation("A login provider needs a name.");
            result.Add(existing with { Name = name.Trim(), Enable = p.Enable ?? existing.Enable });
        }
        if (!result.Any(p => p.Enable)) throw Problems.Validation("At least one login provider stays enabled.");
        return result;
    }

    static IReadOnlyList<string> Domains(IReadOnlyList<string> domains, string field)
    {
        var clean = domains.Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0).Distinct().ToList();
        var bad = clean.Where(d => Uri.CheckHostName(d) != UriHostNameType.Dns || !d.Contains('.')).ToList();
        if (bad.Count > 0) throw Problems.Validation($"{field}: not a domain name: {string.Join(", ", bad)}");
        return clean;
    }

    static string? Limit(string? text, int max, string field) =>
        text is { Length: var n } && n > max ? throw Problems.Validation($"{field} has at most {max} characters.") : text;

    static string? HttpUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        return Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"
            ? u.ToString() : throw Problems.Validation("siteLinkUrl must be an http(s) URL.");
    }
}
