using Zawaroom.Identity;
using Zawaroom.Members;
using Zawaroom.Sites;
using Zawaroom.Storage;
using Zawaroom.Storage.Sqlite;

namespace Zawaroom.Tests.Members;

/// <summary>
/// A member add writes the roster (the place under maxUsersCount) and then the member; a delete the other way round.
/// A process killed between the two leaves exactly the states arranged here; the next start finishes the change.
/// </summary>
public sealed class InterruptedMemberChangesTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"));
    readonly SqliteDocumentStore _store;
    readonly MemberDirectory _members;
    readonly Site _site = new() { Id = "site-1", Subdomain = "interrupt", MaxUsersCount = 3 };

    public InterruptedMemberChangesTests()
    {
        _store = new SqliteDocumentStore(Path.Combine(_folder, "members.db"));
        _members = new MemberDirectory(_store, TimeProvider.System);
    }

    [Fact]
    public async Task An_add_cut_off_after_reserving_its_place_is_finished_at_start_so_the_member_exists_and_the_count_agrees()
    {
        await _members.Add(_site, "admin@interrupt.example", null, AuthType.Aad, Roles.SiteAdmin, CancellationToken.None);
        var cut = new Member("carol@interrupt.example", "Carol", AuthType.AadB2c, Roles.User, DateTimeOffset.UtcNow);
        var roster = await _store.Get<MemberDirectory.Roster>(_site.Id, "roster", "members", CancellationToken.None);
        await _store.Replace(_site.Id, "roster", "members",
            roster!.Value with { Emails = [.. roster.Value.Emails, cut.Email], Adding = [cut] }, roster.ETag, CancellationToken.None);

        await _members.FinishInterruptedChanges(_site.Id, CancellationToken.None);

        var carol = await _members.Find(_site.Id, cut.Email, CancellationToken.None);
        Assert.Equal(("Carol", AuthType.AadB2c, Roles.User), (carol?.Name, carol?.AuthType, carol?.Role));
        var after = await _members.GetRoster(_site.Id, CancellationToken.None);
        Assert.Equal(2, after.Emails.Count);
        Assert.Empty(after.Adding ?? []);
        Assert.Equal(2, await _store.Count(_site.Id, MemberDirectory.Kind, CancellationToken.None));
    }

    [Fact]
    public async Task A_delete_cut_off_after_the_roster_is_finished_at_start_so_the_deleted_member_cannot_sign_in()
    {
        await _members.Add(_site, "admin@interrupt.example", null, AuthType.Aad, Roles.SiteAdmin, CancellationToken.None);
        await _members.Add(_site, "dave@interrupt.example", null, AuthType.Aad, Roles.User, CancellationToken.None);
        var roster = await _store.Get<MemberDirectory.Roster>(_site.Id, "roster", "members", CancellationToken.None);
        await _store.Replace(_site.Id, "roster", "members",
            roster!.Value with { Emails = roster.Value.Emails.Where(e => e != "dave@interrupt.example").ToList() }, roster.ETag, CancellationToken.None);

        await _members.FinishInterruptedChanges(_site.Id, CancellationToken.None);

        Assert.Null(await _members.Find(_site.Id, "dave@interrupt.example", CancellationToken.None));
        Assert.NotNull(await _members.Find(_site.Id, "admin@interrupt.example", CancellationToken.None));
    }

    [Fact]
    public async Task A_finished_add_leaves_no_reservation_behind()
    {
        await _members.Add(_site, "admin@interrupt.example", null, AuthType.Aad, Roles.SiteAdmin, CancellationToken.None);
        await _members.Add(_site, "erin@interrupt.example", null, AuthType.Aad, Roles.User, CancellationToken.None);

        Assert.Empty((await _members.GetRoster(_site.Id, CancellationToken.None)).Adding ?? []);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
