using Zawaroom.Storage;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Storage.Sqlite;

namespace Zawaroom.Tests.Storage;

/// <summary>
/// What every document store adapter promises the features (IDocumentStore's comments), run against
/// each adapter. Every test works in a partition of its own.
/// </summary>
public abstract class DocumentStoreContract
{
    protected abstract IDocumentStore Store { get; }
    readonly string _site = "site-" + Guid.NewGuid().ToString("N")[..10];
    static readonly CancellationToken None = CancellationToken.None;

    public sealed record Doc(string Name, int Count, IReadOnlyList<string> Tags, DateTimeOffset At, Nested? Inner = null);
    public sealed record Nested(string Text, bool Flag);

    static Doc Sample(string name = "本社 オフィス", int count = 1) =>
        new(name, count, ["a", "b"], new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero), new Nested("中身", true));

    [Fact]
    public async Task A_missing_document_reads_as_null()
    {
        Assert.Null(await Store.Get<Doc>(_site, "room", "nope", None));
    }

    [Fact]
    public async Task A_created_document_reads_back_whole_with_its_etag()
    {
        var created = await Store.Create(_site, "room", "r1", Sample(), None);
        var read = await Store.Get<Doc>(_site, "room", "r1", None);

        Assert.NotNull(read);
        Assert.Equal("r1", read.Id);
        Assert.Equal(created.ETag, read.ETag);
        Assert.Equal(Sample().Name, read.Value.Name);
        Assert.Equal(["a", "b"], read.Value.Tags);
        Assert.Equal(Sample().At, read.Value.At);
        Assert.Equal(new Nested("中身", true), read.Value.Inner);
    }

    [Fact]
    public async Task Creating_a_taken_id_fails_and_keeps_the_first()
    {
        await Store.Create(_site, "room", "r1", Sample("first"), None);

        await Assert.ThrowsAsync<DocumentExistsException>(() => Store.Create(_site, "room", "r1", Sample("second"), None));
        Assert.Equal("first", (await Store.Get<Doc>(_site, "room", "r1", None))!.Value.Name);
    }

    [Fact]
    public async Task The_same_id_in_another_kind_or_partition_is_another_document()
    {
        await Store.Create(_site, "room", "x", Sample("room"), None);
        await Store.Create(_site, "space", "x", Sample("space"), None);
        await Store.Create(_site + "-other", "room", "x", Sample("other site"), None);

        Assert.Equal("room", (await Store.Get<Doc>(_site, "room", "x", None))!.Value.Name);
        Assert.Equal("space", (await Store.Get<Doc>(_site, "space", "x", None))!.Value.Name);
        Assert.Equal("other site", (await Store.Get<Doc>(_site + "-other", "room", "x", None))!.Value.Name);
    }

    [Fact]
    public async Task Replacing_with_the_current_etag_writes_and_gives_a_new_etag()
    {
        var created = await Store.Create(_site, "room", "r1", Sample(count: 1), None);

        var replaced = await Store.Replace(_site, "room", "r1", Sample(count: 2), created.ETag, None);

        Assert.NotEqual(created.ETag, replaced.ETag);
        var read = await Store.Get<Doc>(_site, "room", "r1", None);
        Assert.Equal(2, read!.Value.Count);
        Assert.Equal(replaced.ETag, read.ETag);
    }

    [Fact]
    public async Task Replacing_with_a_stale_etag_fails_and_keeps_the_winner()
    {
        var first = await Store.Create(_site, "room", "r1", Sample(count: 1), None);
        await Store.Replace(_site, "room", "r1", Sample(count: 2), first.ETag, None);

        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.Replace(_site, "room", "r1", Sample(count: 3), first.ETag, None));
        Assert.Equal(2, (await Store.Get<Doc>(_site, "room", "r1", None))!.Value.Count);
    }

    [Fact]
    public async Task Replacing_a_missing_document_with_an_etag_fails()
    {
        var gone = await Store.Create(_site, "room", "r1", Sample(), None);
        await Store.Delete(_site, "room", "r1", null, None);

        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.Replace(_site, "room", "r1", Sample(), gone.ETag, None));
        Assert.Null(await Store.Get<Doc>(_site, "room", "r1", None));
    }

    [Fact]
    public async Task Replacing_without_an_etag_creates_then_overwrites()
    {
        await Store.Replace(_site, "room", "r1", Sample(count: 1), null, None);
        await Store.Replace(_site, "room", "r1", Sample(count: 5), null, None);

        Assert.Equal(5, (await Store.Get<Doc>(_site, "room", "r1", None))!.Value.Count);
    }

    [Fact]
    public async Task Deleting_says_whether_there_was_something_to_delete()
    {
        await Store.Create(_site, "room", "r1", Sample(), None);

        Assert.True(await Store.Delete(_site, "room", "r1", null, None));
        Assert.False(await Store.Delete(_site, "room", "r1", null, None));
        Assert.Null(await Store.Get<Doc>(_site, "room", "r1", None));
    }

    [Fact]
    public async Task Deleting_with_a_stale_etag_fails_and_keeps_the_document()
    {
        var first = await Store.Create(_site, "room", "r1", Sample(count: 1), None);
        var second = await Store.Replace(_site, "room", "r1", Sample(count: 2), first.ETag, None);

        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.Delete(_site, "room", "r1", first.ETag, None));
        Assert.NotNull(await Store.Get<Doc>(_site, "room", "r1", None));
        Assert.True(await Store.Delete(_site, "room", "r1", second.ETag, None));
    }

    [Fact]
    public async Task Listing_gives_one_kind_of_one_partition_ordered_by_id_across_pages()
    {
        var ids = Enumerable.Range(0, 230).Select(i => $"m{i:D4}@example.com").ToList();
        foreach (var id in ids.AsEnumerable().Reverse()) await Store.Create(_site, "member", id, Sample(id), None);
        await Store.Create(_site, "room", "m0000@example.com", Sample("a room"), None);
        await Store.Create(_site + "-other", "member", "zz@example.com", Sample("elsewhere"), None);

        var listed = new List<Stored<Doc>>();
        await foreach (var doc in Store.List<Doc>(_site, "member", None)) listed.Add(doc);

        Assert.Equal(ids, listed.Select(d => d.Id));
        Assert.Equal(ids, listed.Select(d => d.Value.Name));
        Assert.All(listed, d => Assert.False(string.IsNullOrEmpty(d.ETag)));
        Assert.Equal(230, await Store.Count(_site, "member", None));
        Assert.Equal(1, await Store.Count(_site, "room", None));
        Assert.Equal(0, await Store.Count(_site, "space", None));
    }

    [Fact]
    public async Task The_etag_of_a_listed_document_guards_a_write()
    {
        await Store.Create(_site, "room", "r1", Sample(count: 1), None);
        Stored<Doc>? listed = null;
        await foreach (var doc in Store.List<Doc>(_site, "room", None)) listed = doc;

        await Store.Replace(_site, "room", "r1", Sample(count: 2), listed!.ETag, None);
        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.Replace(_site, "room", "r1", Sample(count: 3), listed.ETag, None));
    }

    [Fact]
    public async Task Ids_with_characters_a_store_may_reserve_stay_distinct()
    {
        string[] ids = ["a/b", "a#b", "a?b", "a%2Fb", "a\\b", "a b", "ａ"];
        foreach (var id in ids) await Store.Create(_site, "blobref", id, Sample(id), None);

        foreach (var id in ids) Assert.True((await Store.Get<Doc>(_site, "blobref", id, None))?.Value.Name == id, $"{id} did not read back");
        var listed = new List<string>();
        await foreach (var doc in Store.List<Doc>(_site, "blobref", None)) listed.Add(doc.Id);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_update_helper_applies_a_change_on_top_of_a_concurrent_write()
    {
        await Store.Create(_site, "counter", "c", Sample(count: 0), None);
        var raced = false;

        await Store.Update<Doc>(_site, "counter", "c", doc =>
        {
            if (!raced)
            {
                raced = true; // another writer wins between our read and our write
                var current = Store.Get<Doc>(_site, "counter", "c", None).GetAwaiter().GetResult()!;
                Store.Replace(_site, "counter", "c", current.Value with { Count = current.Value.Count + 10 }, current.ETag, None).GetAwaiter().GetResult();
            }
            return doc with { Count = doc.Count + 1 };
        }, None);

        Assert.Equal(11, (await Store.Get<Doc>(_site, "counter", "c", None))!.Value.Count);
    }
}

public sealed class SqliteDocumentStoreContract : DocumentStoreContract, IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"));
    readonly SqliteDocumentStore _store;

    public SqliteDocumentStoreContract() => _store = new SqliteDocumentStore(Path.Combine(_folder, "contract.db"));

    protected override IDocumentStore Store => _store;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class CosmosDocumentStoreContract(CosmosStandIn cosmos) : DocumentStoreContract, IClassFixture<CosmosStandIn>
{
    static readonly Dictionary<CosmosStandIn, CosmosDocumentStore> Stores = new();

    protected override IDocumentStore Store
    {
        get
        {
            lock (Stores)
            {
                if (!Stores.TryGetValue(cosmos, out var store)) Stores[cosmos] = store = new CosmosDocumentStore(cosmos.Options());
                return store;
            }
        }
    }
}
