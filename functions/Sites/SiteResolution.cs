using Zawaroom.Storage;

namespace Zawaroom.Sites;

/// <summary>The site a request addresses, resolved once per request (S1).</summary>
public sealed record SiteContext(Stored<Site> Stored)
{
    public Site Site => Stored.Value;
    public string SiteId => Stored.Value.Id;
}

public sealed class SiteRoutingOptions
{
    /// <summary>The platform domain: "{sub}.{BaseDomain}" addresses a site.</summary>
    public string BaseDomain { get; set; } = "zawaroom.com";
    /// <summary>The site a request without a subdomain or "/s/{sub}" prefix goes to (local runs).</summary>
    public string? DefaultSite { get; set; }
}

/// <summary>
/// Finds the site by the "/s/{sub}" path prefix (moved into PathBase, so routes stay "/api/…"),
/// else by the Host header "{sub}.zawaroom.*", else the configured default site.
/// </summary>
public static class SiteResolution
{
    const string UnknownSiteKey = "zawaroom.unknown-site";

    public static IApplicationBuilder UseSiteResolution(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SiteRoutingOptions>>().Value;
        var subdomain = TakePathPrefix(context.Request) ?? FromHost(context.Request.Host.Host, options.BaseDomain) ?? options.DefaultSite;
        if (subdomain is not null)
        {
            var directory = context.RequestServices.GetRequiredService<SiteDirectory>();
            var site = await directory.FindBySubdomain(subdomain, context.RequestAborted);
            if (site is not null) context.Features.Set(new SiteContext(site));
            else context.Items[UnknownSiteKey] = subdomain;
        }
        await next(context);
    });

    static string? TakePathPrefix(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        if (!path.StartsWith("/s/", StringComparison.Ordinal)) return null;
        var end = path.IndexOf('/', 3);
        var subdomain = end < 0 ? path[3..] : path[3..end];
        if (subdomain.Length == 0) return null;
        request.PathBase = request.PathBase.Add("/s/" + subdomain);
        request.Path = end < 0 ? "/" : path[end..];
        return subdomain.ToLowerInvariant();
    }

    public static string? FromHost(string host, string baseDomain)
    {
        // "{sub}.zawaroom.com" and "{sub}.zawaroom.localhost" etc.: the first label, when the rest is
        // the platform's domain (any top-level suffix, so staging hosts work too).
        var domainRoot = baseDomain.Split('.')[0];
        var labels = host.ToLowerInvariant().Split('.');
        if (labels.Length < 3 || labels[1] != domainRoot) return null;
        return labels[0] is "www" or "api" ? null : labels[0];
    }

    public static SiteContext? Site(this HttpContext context) => context.Features.Get<SiteContext>();

    public static SiteContext RequireSite(this HttpContext context) =>
        context.Features.Get<SiteContext>() ?? throw Common.Problems.NotFound(
            context.Items.TryGetValue(UnknownSiteKey, out var sub) ? $"There is no site '{sub}'." : "No site is addressed by this request.");
}
