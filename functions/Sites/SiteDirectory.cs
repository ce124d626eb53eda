using Zawaroom.Common;
using Zawaroom.Storage;

namespace Zawaroom.Sites;

/// <summary>
/// The site registry in the platform partition: one "site" document per site and one "subdomain"
/// document per subdomain pointing at it, so that a subdomain is unique across all sites (the
/// create of its index document is the uniqueness check) and a rename is a move of that index.
/// </summary>
public sealed class SiteDirectory(IDocumentStore store)
{
    public const string SiteKind = "site";
    const string SubdomainKind = "subdomain";

    sealed record SubdomainIndex(string SiteId);

    public async Task<Stored<Site>?> FindBySubdomain(string subdomain, CancellationToken ct)
    {
        var index = await store.Get<SubdomainIndex>(Partitions.Platform, SubdomainKind, subdomain.ToLowerInvariant(), ct);
        if (index is null) return null;
        var site = await store.Get<Site>(Partitions.Platform, SiteKind, index.Value.SiteId, ct);
        // A rename in flight can leave the old index for a moment; it only counts if the site agrees.
        return site is not null && site.Value.Subdomain == subdomain.ToLowerInvariant() ? site : null;
    }

    public Task<Stored<Site>?> Get(string siteId, CancellationToken ct) =>
        store.Get<Site>(Partitions.Platform, SiteKind, siteId, ct);

    public IAsyncEnumerable<Stored<Site>> All(CancellationToken ct) => store.List<Site>(Partitions.Platform, SiteKind, ct);

    public async Task<Site> Create(Site site, CancellationToken ct)
    {
        if (SubdomainRules.Check(site.Subdomain) is { } why)
            throw Problems.Of(400, "subdomain-invalid", "Invalid subdomain", why);
        await ClaimSubdomain(site.Subdomain, site.Id, ct);
        await store.Create(Partitions.Platform, SiteKind, site.Id, site, ct);
        return site;
    }

    public async Task<Stored<Site>> Replace(Site site, string? ifMatch, CancellationToken ct) =>
        await store.Replace(Partitions.Platform, SiteKind, site.Id, site, ifMatch, ct);

    /// <summary>S5: an operator renames a site; the old subdomain is released afterwards.</summary>
    public async Task<Site> Rename(Stored<Site> current, string newSubdomain, CancellationToken ct)
    {
        if (SubdomainRules.Check(newSubdomain) is { } why)
            throw Problems.Of(400, "subdomain-invalid", "Invalid subdomain", why);
        if (newSubdomain == current.Value.Subdomain) return current.Value;
        await ClaimSubdomain(newSubdomain, current.Id, ct);
        try
        {
            var renamed = current.Value with { Subdomain = newSubdomain };
            await store.Replace(Partitions.Platform, SiteKind, current.Id, renamed, current.ETag, ct);
            await store.Delete(Partitions.Platform, SubdomainKind, current.Value.Subdomain, null, ct);
            return renamed;
        }
        catch
        {
            await store.Delete(Partitions.Platform, SubdomainKind, newSubdomain, null, ct);
            throw;
        }
    }

    async Task ClaimSubdomain(string subdomain, string siteId, CancellationToken ct)
    {
        try
        {
            await store.Create(Partitions.Platform, SubdomainKind, subdomain, new SubdomainIndex(siteId), ct);
        }
        catch (DocumentExistsException)
        {
            throw Problems.Of(409, "subdomain-taken", "Subdomain taken", $"The subdomain '{subdomain}' is used by another site.");
        }
    }
}
