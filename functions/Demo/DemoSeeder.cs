using Zawaroom.Identity;
using Zawaroom.Members;
using Zawaroom.Rooms;
using Zawaroom.Sites;

namespace Zawaroom.Demo;

/// <summary>
/// On an empty store (Zawaroom:SeedDemo), creates the "demo" site with a site admin, a user, one
/// space and one room, so a newcomer can log in locally right after the first start.
/// </summary>
public sealed class DemoSeeder(SiteDirectory sites, MemberDirectory members, RoomDirectory rooms, TimeProvider clock, ILogger<DemoSeeder> log)
{
    public const string Subdomain = "demo";
    public const string AdminEmail = "admin@demo.example";
    public const string UserEmail = "user@demo.example";

    public async Task Seed(CancellationToken ct)
    {
        if (await sites.FindBySubdomain(Subdomain, ct) is not null) return;
        var site = new Site
        {
            Id = "demo-site",
            Subdomain = Subdomain,
            MaxUsersCount = 100,
            AuthLoginProviders = Site.DefaultLoginProviders(),
            AllowDomainNames = [],
            UserRegisterType = UserRegisterType.Manual,
            ShowSiteLink = true,
            SiteLinkName = "社内ポータル",
            SiteLinkUrl = "https://example.com/",
            CreatedAt = clock.GetUtcNow(),
        };
        await sites.Create(site, ct);
        await members.Add(site, AdminEmail, "管理 太郎", AuthType.Aad, Roles.SiteAdmin, ct);
        await members.Add(site, UserEmail, "利用 花子", AuthType.Aad, Roles.User, ct);
        var space = await rooms.CreateSpace(site.Id, "本社", ct);
        await rooms.Create(site.Id, space.Id, "オフィス", "みんなの執務室", ct);
        log.LogInformation("Seeded the demo site {Subdomain} with {Admin} and {User}", Subdomain, AdminEmail, UserEmail);
    }
}
