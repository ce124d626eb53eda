using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Members;
using Zawaroom.Rooms;
using Zawaroom.Sites;

namespace Zawaroom.Demo;

/// <summary>
/// On an empty store (Zawaroom:SeedDemo), creates the "demo" site with a site admin, two users, one
/// space and two rooms on the default office floor, the first with a few people's sticky notes and
/// signboards, so a newcomer can log in locally right after the first start and see a lived-in office.
/// </summary>
public sealed class DemoSeeder(SiteDirectory sites, MemberDirectory members, RoomDirectory rooms, BoardStore boards, TimeProvider clock, ILogger<DemoSeeder> log)
{
    public const string Subdomain = "demo";
    public const string AdminEmail = "admin@demo.example";
    public const string UserEmail = "user@demo.example";
    public const string SalesEmail = "sales@demo.example";

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
        await members.Add(site, SalesEmail, "営業 次郎", AuthType.Aad, Roles.User, ct);
        var space = await rooms.CreateSpace(site.Id, "本社", ct);
        var office = await rooms.Create(site.Id, space.Id, "オフィス", "みんなの執務室", ct);
        await rooms.Create(site.Id, space.Id, "プロジェクトルーム", "開発チームの部屋", ct);
        var now = clock.GetUtcNow();
        // Boards of three people, placed where they would be: at the entrance, by the desks, in the lounge.
        Board[] samples =
        [
            new("demo-welcome", "signboard", "ようこそ！クリックした所へ歩けます", 2400, 2040, AdminEmail, now),
            new("demo-goal", "sticky", "今週の目標: 新機能のリリース 🎉", 760, 1380, AdminEmail, now),
            new("demo-meeting", "sticky", "15時から定例（会議室B）", 1520, 1380, UserEmail, now),
            new("demo-lunch", "sticky", "ランチ 12:30〜 一緒にどうですか", 2900, 1380, UserEmail, now),
            new("demo-docs", "sticky", "提案資料は共有フォルダーにあります", 3600, 1380, SalesEmail, now),
            new("demo-coffee", "signboard", "コーヒーはご自由に ☕", 3300, 640, SalesEmail, now),
        ];
        foreach (var board in samples) await boards.Save(site.Id, office.Id, board, ct);
        log.LogInformation("Seeded the demo site {Subdomain} with {Admin} and {User}", Subdomain, AdminEmail, UserEmail);
    }
}
