using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Blobs;
using Zawaroom.Blobs.Azure;
using Zawaroom.Storage;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Tests.Blobs;
using Zawaroom.Tests.Storage;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Hosting;

/// <summary>The whole app with <c>Zawaroom:Stores = Azure</c>, on the Cosmos DB and Azurite stand-ins.</summary>
public sealed class AzureStoresApp : IAsyncLifetime
{
    public CosmosStandIn Cosmos { get; } = new();
    public AzuriteStandIn Azurite { get; } = new();
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Cosmos.InitializeAsync(), Azurite.InitializeAsync());
        App = new TestApp()
            .With("Zawaroom:Stores", "Azure")
            .With("Zawaroom:Cosmos:ConnectionString", Cosmos.ConnectionString)
            .With("Zawaroom:Cosmos:Database", "zawaroom")
            .With("Zawaroom:Blobs:ConnectionString", Azurite.ConnectionString)
            .WithServices(services => services.Configure<CosmosStoreOptions>(o => o.HttpClientFactory = CosmosStandIn.HttpClient));
        await App.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)App).DisposeAsync();
        await Cosmos.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

public sealed class AzureStoresTests(AzureStoresApp azure) : IClassFixture<AzureStoresApp>
{
    [Fact]
    public void Azure_selects_the_cosmos_and_blob_adapters()
    {
        Assert.IsType<CosmosDocumentStore>(azure.App.Services.GetRequiredService<IDocumentStore>());
        Assert.IsType<AzureBlobStore>(azure.App.Services.GetRequiredService<IBlobStore>());
        Assert.IsType<Zawaroom.Presence.Cosmos.CosmosPresenceStore>(azure.App.Services.GetRequiredService<Zawaroom.Presence.IPresenceStore>());
        Assert.IsType<Zawaroom.Logs.Cosmos.CosmosEventLog>(azure.App.Services.GetRequiredService<Zawaroom.Logs.IEventLog>());
    }

    [Fact]
    public async Task Health_answers_through_both_azure_stores()
    {
        var response = await azure.App.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_site_its_members_spaces_and_rooms_live_in_cosmos()
    {
        var site = await azure.App.CreateSite("azsite");
        await site.AddMember("user@azsite.example");
        var space = await site.AddSpace("本社");
        var room = await site.AddRoom(space, "会議室");

        var user = await site.As("user@azsite.example");
        var me = await Http.Ensure<JsonElement>(await user.GetAsync(site.Api("me")));
        Assert.Equal("user@azsite.example", me.GetProperty("email").GetString());

        var store = azure.App.Services.GetRequiredService<IDocumentStore>();
        var siteId = me.GetProperty("siteId").GetString()!;
        Assert.Equal(2, await store.Count(siteId, "member", default));
        Assert.NotNull(await store.Get<JsonElement>(siteId, "room", room, default));
    }

    [Fact]
    public async Task A_stale_if_match_is_a_412_conflict_on_cosmos_too()
    {
        var site = await azure.App.CreateSite("azetag");
        var admin = await site.Admin();
        var first = await admin.GetAsync(site.Api("admin/site"));
        var etag = first.Headers.GetValues("ETag").Single();
        await Http.Ensure(await admin.Patch(site.Api("admin/site"), new { siteLinkName = "one" }, etag));

        await Http.AssertProblem(await admin.Patch(site.Api("admin/site"), new { siteLinkName = "two" }, etag), 412, "conflict");
        var now = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("admin/site")));
        Assert.Equal("one", now.GetProperty("siteLinkName").GetString());
    }
}
