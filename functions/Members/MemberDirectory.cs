using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Sites;
using Zawaroom.Storage;

namespace Zawaroom.Members;

/// <summary>
/// A site's members. The invariants that span members (count ≤ maxUsersCount, at least one site
/// admin: U3, U4) are kept on one ETag-guarded "roster" document per site, so two admins acting at
/// once, on one instance or on many, cannot break them: the loser of the race retries against the
/// new roster and is refused if the rule no longer holds.
/// </summary>
public sealed class MemberDirectory(IDocumentStore store, TimeProvider clock, IEnumerable<IMemberLifecycle>? lifecycle = null)
{
    public const string Kind = "member";
    const string RosterKind = "roster";
    const string RosterId = "members";

    public sealed record Roster(IReadOnlyList<string> Emails, IReadOnlyList<string> SiteAdmins);

    public async Task<Member?> Find(string siteId, string email, CancellationToken ct) =>
        (await store.Get<Member>(siteId, Kind, Emails.Normalize(email), ct))?.Value;

    public async Task<Roster> GetRoster(string siteId, CancellationToken ct) =>
        (await store.Get<Roster>(siteId, RosterKind, RosterId, ct))?.Value ?? new Roster([], []);

    public IAsyncEnumerable<Stored<Member>> All(string siteId, CancellationToken ct) => store.List<Member>(siteId, Kind, ct);

    /// <summary>Adds a member; refuses a duplicate (409 member-exists) and one over the site's limit (409 max-users-reached).</summary>
    public async Task<Member> Add(Site site, string email, string? name, AuthType authType, string role, CancellationToken ct)
    {
        if (!Emails.IsValid(email.Trim())) throw Problems.Validation($"'{email}' is not an e-mail address.");
        var id = Emails.Normalize(email);
        var member = new Member(id, string.IsNullOrWhiteSpace(name) ? id[..id.IndexOf('@')] : name.Trim(), authType, role, clock.GetUtcNow(),
            Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)));
        await ChangeRoster(site.Id, roster =>
        {
            if (roster.Emails.Contains(id))
                throw Problems.Of(409, "member-exists", "Already a member", $"{id} is already registered.");
            if (roster.Emails.Count >= site.MaxUsersCount)
                throw Problems.Of(409, "max-users-reached", "Member limit reached",
                    $"This site allows {site.MaxUsersCount} members and has {roster.Emails.Count}.");
            return new Roster([.. roster.Emails, id], role == Roles.SiteAdmin ? [.. roster.SiteAdmins, id] : roster.SiteAdmins);
        }, ct);
        try
        {
            await store.Replace(site.Id, Kind, id, member, null, ct);
        }
        catch
        {
            await ChangeRoster(site.Id, r => new Roster(r.Emails.Where(e => e != id).ToList(), r.SiteAdmins.Where(e => e != id).ToList()), ct);
            throw;
        }
        return member;
    }

    /// <summary>Deletes the given members, all or none: unknown e-mails and removing the last site admin are refused.</summary>
    public async Task Delete(string siteId, IReadOnlyCollection<string> emails, CancellationToken ct)
    {
        var ids = emails.Select(Emails.Normalize).Distinct().ToList();
        await ChangeRoster(siteId, roster =>
        {
            RequireKnown(roster, ids);
            var admins = roster.SiteAdmins.Except(ids).ToList();
            if (admins.Count == 0) throw LastSiteAdmin();
            return new Roster(roster.Emails.Except(ids).ToList(), admins);
        }, ct);
        foreach (var id in ids) await store.Delete(siteId, Kind, id, null, ct);
        foreach (var hook in lifecycle ?? []) await hook.Deleted(siteId, ids, ct);
    }

    /// <summary>Grants or revokes site admin on the given members, all or none (U3: never the last admin).</summary>
    public async Task SetSiteAdmin(string siteId, IReadOnlyCollection<string> emails, bool grant, CancellationToken ct)
    {
        var ids = emails.Select(Emails.Normalize).Distinct().ToList();
        await ChangeRoster(siteId, roster =>
        {
            RequireKnown(roster, ids);
            var admins = grant ? roster.SiteAdmins.Union(ids).ToList() : roster.SiteAdmins.Except(ids).ToList();
            if (admins.Count == 0) throw LastSiteAdmin();
            return roster with { SiteAdmins = admins };
        }, ct);
        var role = grant ? Roles.SiteAdmin : Roles.User;
        foreach (var id in ids)
            await store.Update<Member>(siteId, Kind, id, m => m.Role == role ? null : m with { Role = role }, ct);
    }

    static void RequireKnown(Roster roster, IEnumerable<string> ids)
    {
        var unknown = ids.Where(id => !roster.Emails.Contains(id)).ToList();
        if (unknown.Count > 0)
            throw Problems.Of(404, "not-found", "Not a member", "Not registered on this site: " + string.Join(", ", unknown),
                new Dictionary<string, object?> { ["unknownEmails"] = unknown });
    }

    static ProblemException LastSiteAdmin() =>
        Problems.Of(409, "last-site-admin", "Last site admin", "A site always keeps at least one site admin.");

    async Task ChangeRoster(string siteId, Func<Roster, Roster> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.Get<Roster>(siteId, RosterKind, RosterId, ct);
            var next = change(current?.Value ?? new Roster([], []));
            try
            {
                if (current is null) await store.Create(siteId, RosterKind, RosterId, next, ct);
                else await store.Replace(siteId, RosterKind, RosterId, next, current.ETag, ct);
                return;
            }
            catch (Exception e) when (e is ConcurrencyException or DocumentExistsException && attempt < 20)
            {
                await Task.Delay(Random.Shared.Next(1, 10) * (attempt + 1), ct);
            }
        }
    }
}
