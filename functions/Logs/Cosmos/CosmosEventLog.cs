using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Zawaroom.Common;
using Zawaroom.Storage.Cosmos;

namespace Zawaroom.Logs.Cosmos;

/// <summary>
/// The usage log on Cosmos DB: the events container, partitioned by <c>/pk</c> = the plain string
/// "{site}|{yyyy-MM-dd}" (UTC day), so a day of one site is one partition and a query never crosses
/// sites. The item id is the event's id, so an append is a create and a second append with the same
/// id is the service's 409: logged once. A range read walks the days in order and reads each day's
/// partition ordered by time, page by page, so an export of a year runs in constant memory.
/// </summary>
public sealed class CosmosEventLog(Func<Task<Container>> container) : IEventLog
{
    public const string PartitionKeyPath = "/pk";
    const string Kind = "usage";

    /// <summary>
    /// A retry near midnight may carry a time on the next day: within this much of a day's start the
    /// previous day's partition is checked for the id too, so the day boundary does not log it twice.
    /// </summary>
    public static readonly TimeSpan RetryWindow = TimeSpan.FromHours(1);

    public static Func<Task<Container>> ContainerOf(CosmosClient client, CosmosStoreOptions options)
    {
        var opened = new Lazy<Task<Container>>(() => CosmosDocumentStore.OpenContainer(client, options, options.EventsContainer, PartitionKeyPath));
        return () => opened.Value;
    }

    public static string PartitionOf(string siteId, DateTimeOffset at) => $"{siteId}|{at.UtcDateTime:yyyy-MM-dd}";

    /// <summary>Fixed width, UTC: orders as a string the way the instants order.</summary>
    static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    static string ItemId(string eventId) => CosmosDocumentStore.ItemId(Kind, eventId);

    public async Task<bool> Append(UsageEvent usage, CancellationToken ct)
    {
        var c = await container();
        var at = usage.EventDateTime.UtcDateTime;
        if (at.TimeOfDay < RetryWindow && await Exists(c, PartitionOf(usage.SiteId, usage.EventDateTime.AddDays(-1)), usage.Id, ct)) return false;

        var partition = PartitionOf(usage.SiteId, usage.EventDateTime);
        var item = new JsonObject
        {
            ["id"] = ItemId(usage.Id),
            ["pk"] = partition,
            ["siteId"] = usage.SiteId,
            ["at"] = Stamp(usage.EventDateTime),
            ["event"] = JsonSerializer.SerializeToNode(usage, Json.Options),
        };
        using var response = await c.CreateItemStreamAsync(new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(item)), new PartitionKey(partition), cancellationToken: ct);
        if (response.StatusCode == HttpStatusCode.Conflict) return false;
        if (!response.IsSuccessStatusCode) throw Failure(response, $"appending usage event '{usage.Id}'");
        return true;
    }

    static async Task<bool> Exists(Container c, string partition, string eventId, CancellationToken ct)
    {
        using var response = await c.ReadItemStreamAsync(ItemId(eventId), new PartitionKey(partition), cancellationToken: ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccessStatusCode) throw Failure(response, $"reading usage event '{eventId}'");
        return true;
    }

    public async IAsyncEnumerable<UsageEvent> Read(string siteId, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken ct)
    {
        if (to <= from) yield break;
        var c = await container();
        var last = to.UtcDateTime.AddTicks(-1).Date;
        for (var day = from.UtcDateTime.Date; day <= last; day = day.AddDays(1))
        {
            var partition = PartitionOf(siteId, new DateTimeOffset(day, TimeSpan.Zero));
            var query = new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk AND c.at >= @from AND c.at < @to ORDER BY c.at")
                .WithParameter("@pk", partition).WithParameter("@from", Stamp(from)).WithParameter("@to", Stamp(to));
            using var pages = c.GetItemQueryStreamIterator(query, requestOptions: new QueryRequestOptions
            {
                PartitionKey = new PartitionKey(partition),
                MaxItemCount = 500,
            });
            while (pages.HasMoreResults)
            {
                using var page = await pages.ReadNextAsync(ct);
                if (!page.IsSuccessStatusCode) throw Failure(page, "a usage log query");
                using var json = await JsonDocument.ParseAsync(page.Content, cancellationToken: ct);
                foreach (var item in json.RootElement.GetProperty("Documents").EnumerateArray())
                    yield return item.GetProperty("event").Deserialize<UsageEvent>(Json.Options)!;
            }
        }
    }

    static CosmosException Failure(ResponseMessage response, string what) =>
        new($"Cosmos DB refused {what}: {response.ErrorMessage}", response.StatusCode, 0, response.Headers.ActivityId, response.Headers.RequestCharge);
}
