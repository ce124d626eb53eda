using System.Security.Cryptography;
using System.Text;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Members;
using Zawaroom.Storage;

namespace Zawaroom.Sites;

/// <summary>S5: the platform operator creates sites, sets their member limit and renames subdomains.</summary>
public static class OperatorApi
{
    public sealed record CreateSiteRequest(string? Subdomain, string? AdminEmail, AuthType? AdminAuthType, int? MaxUsersCount);
    /// <summary>An empty <c>defaultMediaServerUrl</c> removes it (the site then uses the platform's media server).</summary>
    public sealed record PatchSiteRequest(int? MaxUsersCount, string? Subdomain, string? DefaultMediaServerUrl = null);

    public static void MapOperatorApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/operator/api").WithTags("Operator");
        MapOperatorRoutes(group);
        group.WithMetadata(new OperatorMarker());
    }

    sealed record OperatorMarker;

    /// <summary>The operator key is checked before the endpoint runs (and before its body is read).</summary>
    public static IApplicationBuilder UseOperatorAccess(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<OperatorMarker>() is not null)
        {
            var key = http.RequestServices.GetRequiredService<IConfiguration>()["Zawaroom:OperatorKey"];
            if (string.IsNullOrEmpty(key)) throw Problems.NotFound("The operator API is off.");
            var given = CallerResolver.BearerToken(http);
            if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
                throw Problems.Unauthenticated("The operator key is missing or wrong.");
        }
        await next(http);
    });

    static void MapOperatorRoutes(RouteGroupBuilder group)
    {
        group.MapPost("/sites", CreateSite).Allow(Access.Operator);
        group.MapGet("/sites", async (SiteDirectory sites, CancellationToken ct) =>
        {
            var all = new List<SiteView>();
            await foreach (var s in sites.All(ct)) all.Add(SiteView.Of(s.Value));
            return all;
        }).Allow(Access.Operator);
        group.MapGet("/sites/{sub}", async (string sub, SiteDirectory sites, CancellationToken ct) =>
            SiteView.Of((await sites.FindBySubdomain(sub, ct))?.Value ?? throw Problems.NotFound($"There is no site '{sub}'.")))
            .Allow(Access.Operator);
        group.MapPatch("/sites/{sub}", PatchSite).Allow(Access.Operator);
    }

    static async Task<IResult> CreateSite(CreateSiteRequest request, SiteDirectory sites, MemberDirectory members,
        TimeProvider clock, CancellationToken ct)
    {
        if (SubdomainRules.Check(request.Subdomain) is { } why) throw Problems.Of(400, "subdomain-invalid", "Invalid subdomain", why);
        if (!Emails.IsValid(request.AdminEmail)) throw Problems.Validation("adminEmail must be an e-mail address.");
        if (request.MaxUsersCount is not > 0) throw Problems.Validation("maxUsersCount must be a positive number.");
        var authType = request.AdminAuthType ?? AuthType.Aad;
        if (authType == AuthType.Local) throw Problems.Validation("adminAuthType is 'aad' or 'aad-b2c'.");

        var site = new Site
        {
            Id = Guid.NewGuid().ToString("N"),
            Subdomain = request.Subdomain!,
            MaxUsersCount = request.MaxUsersCount.Value,
            AuthLoginProviders = Site.DefaultLoginProviders(),
            CreatedAt = clock.GetUtcNow(),
        };
        await sites.Create(site, ct);
        await members.Add(site, request.AdminEmail!, null, authType, Roles.SiteAdmin, ct);
        return Results.Created($"/operator/api/sites/{site.Subdomain}", SiteView.Of(site));
    }

    static async Task<SiteView> PatchSite(string sub, PatchSiteRequest request, SiteDirectory sites, MemberDirectory members, CancellationToken ct)
    {
        var current = await sites.FindBySubdomain(sub, ct) ?? throw Problems.NotFound($"There is no site '{sub}'.");
        if (request.MaxUsersCount is { } max)
        {
            if (max <= 0) throw Problems.Validation("maxUsersCount must be a positive number.");
            var registered = (await members.GetRoster(current.Id, ct)).Emails.Count;
            if (max < registered)
                throw Problems.Validation($"The site has {registered} members already; maxUsersCount cannot be lower.");
        }
        if (request.DefaultMediaServerUrl is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var media) && media.Scheme is "wss" or "ws" or "https" or "http" && media.Host.Length > 0))
            throw Problems.Validation("defaultMediaServerUrl must be an absolute wss://, ws://, https:// or http:// URL.");
        var site = current.Value;
        if (request.Subdomain is { } subdomain && subdomain != site.Subdomain)
        {
            site = await sites.Rename(current, subdomain, ct);
            current = (await sites.Get(site.Id, ct))!;
        }
        var changed = site with
        {
            MaxUsersCount = request.MaxUsersCount ?? site.MaxUsersCount,
            DefaultMediaServerUrl = request.DefaultMediaServerUrl is { } given ? (given.Length > 0 ? given : null) : site.DefaultMediaServerUrl,
        };
        if (changed != site) site = (await sites.Replace(changed, current.ETag, ct)).Value;
        return SiteView.Of(site);
    }
}

/// <summary>A site as the operator and the site admin see it (S3).</summary>
public sealed record SiteView(
    string Id, string Subdomain, string SiteUrl, string? DefaultMediaServerUrl, int MaxUsersCount,
    IReadOnlyList<LoginProvider> AuthLoginProviders, IReadOnlyList<string> AllowDomainNames, UserRegisterType UserRegisterType,
    IReadOnlyList<string> AutoRegisterDomainNames, bool ShowSiteLink, string? SiteLinkName, string? SiteLinkUrl)
{
    public static SiteView Of(Site s) => new(s.Id, s.Subdomain, $"https://{s.Subdomain}.zawaroom.com/", s.DefaultMediaServerUrl,
        s.MaxUsersCount, s.AuthLoginProviders, s.AllowDomainNames, s.UserRegisterType, s.AutoRegisterDomainNames,
        s.ShowSiteLink, s.SiteLinkName, s.SiteLinkUrl);
}
