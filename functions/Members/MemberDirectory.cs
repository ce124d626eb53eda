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

    /// <param name="Adding">Members whose add reserved their place here but whose member document may not be written
    /// yet: if the process dies in between, <see cref="FinishInterruptedChanges"/> writes it from this.</param>
    public sealed record Roster(IReadOnlyList<string> Emails, IReadOnlyList<string> SiteAdmins, IReadOnlyList<Member>? Adding = null);

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
            return new Roster([.. roster.Emails, id], role == Roles.SiteAdmin ? [.. roster.SiteAdmins, id] : roster.SiteAdmins,
                [.. roster.Adding ?? [], member]);
        }, ct);
        try
        {
            await store.Replace(site.Id, Kind, id, member, null, ct);
        }
        catch
        {
            await ChangeRoster(site.Id, r => new Roster(r.Emails.Where(e => e != id).ToList(), r.SiteAdmins.Where(e => e != id).ToList(),
                r.Adding?.Where(m => m.Email != id).ToList()), ct);
            throw;
        }
        try
        {
            await ChangeRoster(site.Id, r => r with { Adding = r.Adding?.Where(m => m.Email != id).ToList() }, ct);
        }
        catch (ConcurrencyException)
        {
            // The member is added; a reservation left behind is only tidied by the next start (an idempotent no-op there).
        }
        return member;
    }

    /// <summary>
    /// Finishes what a process killed mid-change left (two documents, roster and member, are not written at once): an add
    /// whose place is reserved gets its member document, a delete that left member documents removes them.
    /// Run at start; an add or delete in progress elsewhere meanwhile ends the same way, so running it alongside is harmless.
    /// </summary>
    public async Task FinishInterruptedChanges(string siteId, CancellationToken ct)
    {
        var roster = await store.Get<Roster>(siteId, RosterKind, RosterId, ct);
        if (roster is null) return;
        foreach (var member in roster.Value.Adding ?? [])
        {
            if (!roster.Value.Emails.Contains(member.Email)) continue;
            try { await store.Create(siteId, Kind, member.Email, member, ct); }
            catch (DocumentExistsException) { }
        }
        if (roster.Value.Adding is { Count: > 0 } adding)
            await ChangeRoster(siteId, r => r with { Adding = r.Adding?.Where(m => !adding.Any(a => a.Email == m.Email)).ToList() }, ct);
        // A member document is written only once the roster names it, so one the roster does not name is a delete cut
        // short. The documents are read before the roster: an add running meanwhile has named its member by then.
        var documents = new List<string>();
        await foreach (var member in store.List<Member>(siteId, Kind, ct)) documents.Add(member.Id);
        var known = (await GetRoster(siteId, ct)).Emails.ToHashSet(StringComparer.Ordinal);
        var deleted = documents.Where(id => !known.Contains(id)).ToList();
        foreach (var id in deleted) await store.Delete(siteId, Kind, id, null, ct);
        if (deleted.Count > 0)
            foreach (var hook in lifecycle ?? []) await hook.Deleted(siteId, deleted, ct);
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
            return new Roster(roster.Emails.Except(ids).ToList(), admins, roster.Adding?.Where(m => !ids.Contains(m.Email)).ToList());
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
