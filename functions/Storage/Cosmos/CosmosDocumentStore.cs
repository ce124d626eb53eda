using System.Buffers.Text;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Zawaroom.Common;

namespace Zawaroom.Storage.Cosmos;

/// <summary><c>Zawaroom:Cosmos</c>: the account, database and container of the document store.</summary>
public sealed class CosmosStoreOptions
{
    public const string Section = "Zawaroom:Cosmos";

    /// <summary>"AccountEndpoint=…;AccountKey=…;" (from Key Vault in Azure).</summary>
    public string? ConnectionString { get; set; }
    public string Database { get; set; } = "zawaroom";
    public string Container { get; set; } = "documents";

    /// <summary>The usage log's container, partitioned by <c>/pk</c> = "{site}|{yyyy-MM-dd}" (Logs/Cosmos).</summary>
    public string EventsContainer { get; set; } = "events";

    /// <summary>The presence records' container, partitioned by <c>/siteId</c>, TTL on (Presence/Cosmos).</summary>
    public string PresenceContainer { get; set; } = "presence";

    /// <summary>Creates the database and container when missing (infra/ creates them in Azure).</summary>
    public bool CreateIfNotExists { get; set; } = true;

    /// <summary>For tests: the HttpClient the SDK talks through (a local stand-in's certificate, its gaps).</summary>
    public Func<HttpClient>? HttpClientFactory { get; set; }
}

/// <summary>
/// The document store on Cosmos DB (NoSQL API): one container partitioned by <c>/siteId</c> (the
/// partition argument of every call), the item id is "{kind}:{id}", and the feature's value is kept
/// whole under <c>value</c>. Point operations and parameterised single-partition queries only;
/// ETags are Cosmos' own (<c>_etag</c>), so a stale If-Match is the service's 412.
/// </summary>
public sealed class CosmosDocumentStore : IDocumentStore, IDisposable
{
    public const string PartitionKeyPath = "/siteId";

    readonly CosmosClient _client;
    readonly CosmosStoreOptions _options;
    readonly Lazy<Task<Container>> _container;

    public CosmosDocumentStore(CosmosStoreOptions options)
    {
        _options = options;
        _client = CreateClient(options);
        _container = new Lazy<Task<Container>>(Open);
    }

    /// <summary>A client of the account the options name (also used by the event log and presence adapters).</summary>
    public static CosmosClient CreateClient(CosmosStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new InvalidOperationException("Zawaroom:Stores is Azure but Zawaroom:Cosmos:ConnectionString is not set.");
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "zawaroom",
            // Gateway mode: HTTPS only, which is what a Functions app on a consumption plan gets and
            // what the local stand-in speaks.
            ConnectionMode = ConnectionMode.Gateway,
            EnableContentResponseOnWrite = true,
        };
        if (options.HttpClientFactory is not null)
        {
            clientOptions.HttpClientFactory = options.HttpClientFactory;
            clientOptions.LimitToEndpoint = true;
        }
        return new CosmosClient(options.ConnectionString, clientOptions);
    }

    /// <summary>The named container, created (with its partition key path) when the options allow and it is missing.</summary>
    public static async Task<Container> OpenContainer(CosmosClient client, CosmosStoreOptions options, string container, string partitionKeyPath,
        int? defaultTtl = null)
    {
        if (!options.CreateIfNotExists) return client.GetContainer(options.Database, container);
        Database database = await client.CreateDatabaseIfNotExistsAsync(options.Database);
        return await database.CreateContainerIfNotExistsAsync(new ContainerProperties(container, partitionKeyPath) { DefaultTimeToLive = defaultTtl });
    }

    async Task<Container> Open()
    {
        if (!_options.CreateIfNotExists) return _client.GetContainer(_options.Database, _options.Container);
        Database database = await _client.CreateDatabaseIfNotExistsAsync(_options.Database);
        return await database.CreateContainerIfNotExistsAsync(new ContainerProperties(_options.Container, PartitionKeyPath));
    }

    Task<Container> Container() => _container.Value;

    /// <summary>
    /// "{kind}:{id}" when the id is plain (letters, digits, <c>@ . _ -</c>); else "{kind}:~" and the
    /// id as base64url, since Cosmos ids may not hold '/', '\', '?', '#' and a '%' or a space does not
    /// survive every path through the gateway. '~' is not plain, so the two forms never collide.
    /// </summary>
    internal static string ItemId(string kind, string id) =>
        id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '@' or '.' or '_' or '-')
            ? $"{kind}:{id}"
            : $"{kind}:~{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(id))}";

    static MemoryStream Item<T>(string partition, string kind, string id, T value)
    {
        var item = new JsonObject
        {
            ["id"] = ItemId(kind, id),
            ["siteId"] = partition,
            ["kind"] = kind,
            ["key"] = id,
            ["value"] = JsonSerializer.SerializeToNode(value, Json.Options),
        };
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(item));
    }

    static Stored<T> Read<T>(JsonElement item, string? etag) =>
        new(item.GetProperty("key").GetString()!, item.GetProperty("value").Deserialize<T>(Json.Options)!,
            etag ?? item.GetProperty("_etag").GetString()!);

    static async Task<Stored<T>> ReadResponse<T>(ResponseMessage response, CancellationToken ct)
    {
        using var json = await JsonDocument.ParseAsync(response.Content, cancellationToken: ct);
        return Read<T>(json.RootElement, response.Headers.ETag);
    }

    static CosmosException Failure(ResponseMessage response, string what) =>
        new($"Cosmos DB refused {what}: {response.ErrorMessage}", response.StatusCode, 0, response.Headers.ActivityId, response.Headers.RequestCharge);

    public async Task<Stored<T>?> Get<T>(string partition, string kind, string id, CancellationToken ct)
    {
        var container = await Container();
        using var response = await container.ReadItemStreamAsync(ItemId(kind, id), new PartitionKey(partition), cancellationToken: ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw Failure(response, $"reading {kind} '{id}'");
        return await ReadResponse<T>(response, ct);
    }

    public async Task<Stored<T>> Create<T>(string partition, string kind, string id, T value, CancellationToken ct)
    {
        var container = await Container();
        using var response = await container.CreateItemStreamAsync(Item(partition, kind, id, value), new PartitionKey(partition), cancellationToken: ct);
        if (response.StatusCode == HttpStatusCode.Conflict) throw new DocumentExistsException($"{kind} '{id}' exists already.");
        if (!response.IsSuccessStatusCode) throw Failure(response, $"creating {kind} '{id}'");
        return await ReadResponse<T>(response, ct);
    }

    public async Task<Stored<T>> Replace<T>(string partition, string kind, string id, T value, string? ifMatch, CancellationToken ct)
    {
        var container = await Container();
        using var response = ifMatch is null
            ? await container.UpsertItemStreamAsync(Item(partition, kind, id, value), new PartitionKey(partition), cancellationToken: ct)
            : await container.ReplaceItemStreamAsync(Item(partition, kind, id, value), ItemId(kind, id), new PartitionKey(partition),
                new ItemRequestOptions { IfMatchEtag = ifMatch }, ct);
        if (response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
            throw new ConcurrencyException($"{kind} '{id}' was changed or removed since it was read.");
        if (!response.IsSuccessStatusCode) throw Failure(response, $"writing {kind} '{id}'");
        return await ReadResponse<T>(response, ct);
    }

    public async Task<bool> Delete(string partition, string kind, string id, string? ifMatch, CancellationToken ct)
    {
        var container = await Container();
        using var response = await container.DeleteItemStreamAsync(ItemId(kind, id), new PartitionKey(partition),
            ifMatch is null ? null : new ItemRequestOptions { IfMatchEtag = ifMatch }, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (response.StatusCode == HttpStatusCode.PreconditionFailed) throw new ConcurrencyException($"{kind} '{id}' was changed since it was read.");
        if (!response.IsSuccessStatusCode) throw Failure(response, $"deleting {kind} '{id}'");
        return true;
    }

    public async IAsyncEnumerable<Stored<T>> List<T>(string partition, string kind, [EnumeratorCancellation] CancellationToken ct)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.siteId = @site AND c.kind = @kind ORDER BY c.key")
            .WithParameter("@site", partition).WithParameter("@kind", kind);
        await foreach (var item in Query(query, partition, ct))
            yield return Read<T>(item, null);
    }

    public async Task<int> Count(string partition, string kind, CancellationToken ct)
    {
        var query = new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.siteId = @site AND c.kind = @kind")
            .WithParameter("@site", partition).WithParameter("@kind", kind);
        var total = 0;
        await foreach (var count in Query(query, partition, ct)) total += count.GetInt32();
        return total;
    }

    /// <summary>A query inside one partition, page by page.</summary>
    async IAsyncEnumerable<JsonElement> Query(QueryDefinition query, string partition, [EnumeratorCancellation] CancellationToken ct)
    {
        var container = await Container();
        using var pages = container.GetItemQueryStreamIterator(query, requestOptions: new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(partition),
            MaxItemCount = 200,
        });
        while (pages.HasMoreResults)
        {
            using var page = await pages.ReadNextAsync(ct);
            if (!page.IsSuccessStatusCode) throw Failure(page, "a query");
            using var json = await JsonDocument.ParseAsync(page.Content, cancellationToken: ct);
            foreach (var item in json.RootElement.GetProperty("Documents").EnumerateArray())
                yield return item.Clone();
        }
    }

    public void Dispose() => _client.Dispose();
}
