using System.Text;
using Zawaroom.Blobs;
using Zawaroom.Blobs.Azure;
using Zawaroom.Blobs.Folder;

namespace Zawaroom.Tests.Blobs;

/// <summary>What every blob store adapter promises the features, run against each adapter.</summary>
public abstract class BlobStoreContract
{
    protected abstract IBlobStore Store { get; }
    readonly string _site = "site-" + Guid.NewGuid().ToString("N")[..10];
    static readonly CancellationToken None = CancellationToken.None;

    static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    async Task<(string Text, BlobInfo Info)?> Read(string name)
    {
        var opened = await Store.Open(name, None);
        if (opened is null) return null;
        await using var content = opened.Value.Content;
        using var reader = new StreamReader(content, Encoding.UTF8);
        return (await reader.ReadToEndAsync(), opened.Value.Info);
    }

    async Task<List<string>> List(string prefix)
    {
        var names = new List<string>();
        await foreach (var name in Store.List(prefix, None)) names.Add(name);
        return names;
    }

    [Fact]
    public async Task A_put_blob_opens_with_its_bytes_type_and_length()
    {
        await Store.Put($"{_site}/rooms/r1/background", Text("背景 png"), "image/png", None);

        var read = await Read($"{_site}/rooms/r1/background");

        Assert.Equal("背景 png", read!.Value.Text);
        Assert.Equal("image/png", read.Value.Info.ContentType);
        Assert.Equal(Encoding.UTF8.GetByteCount("背景 png"), read.Value.Info.Length);
    }

    [Fact]
    public async Task A_missing_blob_opens_as_null()
    {
        Assert.Null(await Store.Open($"{_site}/nothing/here", None));
    }

    [Fact]
    public async Task Putting_again_replaces_content_and_type()
    {
        await Store.Put($"{_site}/bgm", Text("one"), "audio/mpeg", None);
        await Store.Put($"{_site}/bgm", Text("two, longer"), "audio/ogg", None);

        var read = await Read($"{_site}/bgm");
        Assert.Equal("two, longer", read!.Value.Text);
        Assert.Equal("audio/ogg", read.Value.Info.ContentType);
    }

    [Fact]
    public async Task Deleting_says_whether_there_was_a_blob()
    {
        await Store.Put($"{_site}/x", Text("x"), "text/plain", None);

        Assert.True(await Store.Delete($"{_site}/x", None));
        Assert.False(await Store.Delete($"{_site}/x", None));
        Assert.Null(await Store.Open($"{_site}/x", None));
    }

    [Fact]
    public async Task Listing_by_prefix_is_ordered_and_stays_inside_the_prefix()
    {
        foreach (var name in new[] { "rooms/b/img", "rooms/a/img", "rooms/a/bgm", "exports/1.csv" })
            await Store.Put($"{_site}/{name}", Text(name), "application/octet-stream", None);
        await Store.Put($"{_site}x/rooms/a/img", Text("a neighbour whose name starts the same"), "text/plain", None);

        Assert.Equal([$"{_site}/rooms/a/bgm", $"{_site}/rooms/a/img", $"{_site}/rooms/b/img"], await List($"{_site}/rooms/"));
        Assert.Equal(4, (await List($"{_site}/")).Count);
    }

    [Fact]
    public async Task Deleting_a_prefix_removes_that_prefix_only()
    {
        await Store.Put($"{_site}/rooms/r1/background", Text("1"), "image/png", None);
        await Store.Put($"{_site}/rooms/r1/items/a", Text("2"), "image/png", None);
        await Store.Put($"{_site}/rooms/r10/background", Text("3"), "image/png", None);

        await Store.DeletePrefix($"{_site}/rooms/r1/", None);

        Assert.Equal([$"{_site}/rooms/r10/background"], await List($"{_site}/"));
    }

    [Fact]
    public async Task A_large_blob_round_trips_unchanged()
    {
        var bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(bytes);
        await Store.Put($"{_site}/big.bin", new MemoryStream(bytes), "application/octet-stream", None);

        var opened = await Store.Open($"{_site}/big.bin", None);
        await using var content = opened!.Value.Content;
        var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        Assert.Equal(bytes.Length, opened.Value.Info.Length);
        Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task A_name_that_could_escape_its_site_is_refused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Put(name, Text("x"), "text/plain", None));
    }
}

public sealed class FolderBlobStoreContract : BlobStoreContract, IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"));
    protected override IBlobStore Store => new FolderBlobStore(_folder);

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class AzureBlobStoreContract(AzuriteStandIn azurite) : BlobStoreContract, IClassFixture<AzuriteStandIn>
{
    static readonly Dictionary<AzuriteStandIn, AzureBlobStore> Stores = new();

    protected override IBlobStore Store
    {
        get
        {
            lock (Stores)
            {
                if (!Stores.TryGetValue(azurite, out var store)) Stores[azurite] = store = new AzureBlobStore(azurite.Options());
                return store;
            }
        }
    }
}

public sealed class FolderBlobStoreRestartTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Writes_cut_off_by_a_crash_are_gone_at_the_next_start_and_finished_blobs_stay()
    {
        var store = new FolderBlobStore(_folder);
        await store.Put("site/rooms/r1/background/kept", new MemoryStream([1, 2, 3]), "image/png", CancellationToken.None);
        // What a process killed mid-Put leaves: a half-written incoming file, a meta renamed before its blob, an old-style temp file.
        Directory.CreateDirectory(Path.Combine(_folder, FolderBlobStore.IncomingFolder));
        File.WriteAllBytes(Path.Combine(_folder, FolderBlobStore.IncomingFolder, "half"), [9, 9]);
        File.WriteAllText(Path.Combine(_folder, "site/rooms/r1/background/cut.meta"), "{\"contentType\":\"image/png\"}");
        File.WriteAllBytes(Path.Combine(_folder, "site/rooms/r1/background/old.1234.tmp"), [7]);

        var restarted = new FolderBlobStore(_folder);

        var files = Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_folder, f)).Order().ToList();
        Assert.Equal(["site/rooms/r1/background/kept", "site/rooms/r1/background/kept.meta"], files);
        var opened = await restarted.Open("site/rooms/r1/background/kept", CancellationToken.None);
        Assert.NotNull(opened);
        await opened.Value.Content.DisposeAsync();
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
