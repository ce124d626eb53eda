using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Logs;
using Zawaroom.Logs.Cosmos;
using Zawaroom.Logs.Sqlite;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Tests.Storage;

namespace Zawaroom.Tests.Logs;

/// <summary>
/// What every event log adapter promises (IEventLog's comments), run against SQLite and Cosmos DB
/// (on the stand-in). Every test uses sites of its own.
/// </summary>
public abstract class EventLogContract
{
    protected abstract IEventLog Log { get; }
    static readonly DateTimeOffset T0 = new(2026, 11, 23, 15, 30, 0, TimeSpan.Zero);
    static readonly CancellationToken Ct = CancellationToken.None;
    readonly string _s1 = "s1-" + Guid.NewGuid().ToString("N")[..8];
    readonly string _s2 = "s2-" + Guid.NewGuid().ToString("N")[..8];

    static UsageEvent Event(string site, string id, DateTimeOffset at, string type = EventTypes.Status) => new()
    {
        Id = id, SiteId = site, EventDateTime = at, EventType = type, Email = "alice@x.example", Name = "alice",
        Space = "本社", Room = "開発室", Details = new Dictionary<string, string> { ["status"] = "会議中" },
    };

    [Fact]
    public async Task An_event_with_the_same_id_is_stored_once()
    {
        Assert.True(await Log.Append(Event(_s1, "a@x.example|c1", T0), Ct));
        Assert.False(await Log.Append(Event(_s1, "a@x.example|c1", T0.AddSeconds(1)), Ct));
        Assert.True(await Log.Append(Event(_s2, "a@x.example|c1", T0), Ct));

        Assert.Single(await Log.Read(_s1, T0.AddDays(-1), T0.AddDays(1), Ct).ToListAsync());
    }

    [Fact]
    public async Task A_retry_that_crosses_midnight_is_still_stored_once()
    {
        var beforeMidnight = new DateTimeOffset(2026, 11, 23, 23, 59, 59, 900, TimeSpan.Zero);

        Assert.True(await Log.Append(Event(_s1, "a|retry", beforeMidnight), Ct));
        Assert.False(await Log.Append(Event(_s1, "a|retry", beforeMidnight.AddSeconds(2)), Ct));

        Assert.Single(await Log.Read(_s1, beforeMidnight.AddDays(-1), beforeMidnight.AddDays(1), Ct).ToListAsync());
    }

    [Fact]
    public async Task A_range_read_gives_one_site_oldest_first_with_the_end_excluded()
    {
        await Log.Append(Event(_s1, "3", T0.AddMinutes(2)), Ct);
        await Log.Append(Event(_s1, "1", T0), Ct);
        await Log.Append(Event(_s1, "2", T0.AddMinutes(1)), Ct);
        await Log.Append(Event(_s1, "4", T0.AddMinutes(3)), Ct);
        await Log.Append(Event(_s2, "x", T0.AddMinutes(1)), Ct);

        var read = await Log.Read(_s1, T0, T0.AddMinutes(3), Ct).ToListAsync();

        Assert.Equal(["1", "2", "3"], read.Select(e => e.Id));
        Assert.Equal("会議中", read[0].Details["status"]);
        Assert.Equal(T0, read[0].EventDateTime);
    }

    [Fact]
    public async Task A_range_over_several_days_streams_in_time_order_across_the_days()
    {
        // Appended out of order over four UTC days (JST midnight falls inside a UTC day, UTC midnight too).
        var times = new[] { T0.AddDays(2).AddHours(1), T0, T0.AddHours(9), T0.AddDays(1), T0.AddHours(8.6), T0.AddDays(3), T0.AddMinutes(-1) };
        for (var i = 0; i < times.Length; i++) await Log.Append(Event(_s1, $"e{i}", times[i]), Ct);

        var read = await Log.Read(_s1, T0, T0.AddDays(3), Ct).ToListAsync();

        Assert.Equal(times.Where(t => t >= T0 && t < T0.AddDays(3)).Order(), read.Select(e => e.EventDateTime));
        Assert.Empty(await Log.Read(_s1, T0.AddDays(4), T0.AddDays(5), Ct).ToListAsync());
    }

    [Fact]
    public async Task A_long_read_is_a_stream_of_many_pages()
    {
        for (var i = 0; i < 1200; i++) await Log.Append(Event(_s1, $"p{i:D4}", T0.AddSeconds(i)), Ct);

        var count = 0;
        var previous = DateTimeOffset.MinValue;
        await foreach (var e in Log.Read(_s1, T0, T0.AddDays(1), Ct))
        {
            Assert.True(e.EventDateTime >= previous);
            previous = e.EventDateTime;
            count++;
        }
        Assert.Equal(1200, count);
    }

    [Fact]
    public void The_record_has_the_G1_fields_with_JST_next_to_UTC()
    {
        var json = JsonSerializer.SerializeToElement(Event(_s1, "1", T0, EventTypes.KnockUser), Json.Options);

        Assert.Equal(T0, json.GetProperty("eventDateTime").GetDateTimeOffset());
        Assert.Equal("2026-11-24T00:30:00.000+09:00", json.GetProperty("eventDateTime(JST)").GetString());
        Assert.Equal("knock user", json.GetProperty("eventType").GetString());
        Assert.Equal("本社", json.GetProperty("space").GetString());
        Assert.Equal("", json.GetProperty("subroom.name").GetString());
        Assert.Equal("会議中", json.GetProperty("details").GetProperty("status").GetString());
    }
}

public sealed class SqliteEventLogContract : EventLogContract, IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"), "events.db");
    readonly SqliteEventLog _log;

    public SqliteEventLogContract() => _log = new SqliteEventLog(_file);

    protected override IEventLog Log => _log;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path.GetDirectoryName(_file)!, true); } catch (IOException) { }
    }
}

public sealed class CosmosEventLogContract(CosmosStandIn cosmos) : EventLogContract, IClassFixture<CosmosStandIn>
{
    static readonly Dictionary<CosmosStandIn, CosmosEventLog> Logs = new();

    protected override IEventLog Log
    {
        get
        {
            lock (Logs)
            {
                if (!Logs.TryGetValue(cosmos, out var log))
                {
                    var options = cosmos.Options();
                    Logs[cosmos] = log = new CosmosEventLog(CosmosEventLog.ContainerOf(CosmosDocumentStore.CreateClient(options), options));
                }
                return log;
            }
        }
    }

    [Theory]
    [InlineData("site1", "2026-11-23T23:59:59Z", "site1|2026-11-23")]
    [InlineData("site1", "2026-11-24T00:00:00Z", "site1|2026-11-24")]
    [InlineData("site1", "2026-11-24T08:59:59+09:00", "site1|2026-11-23")]
    public void The_partition_is_the_site_and_the_UTC_day(string site, string at, string partition) =>
        Assert.Equal(partition, CosmosEventLog.PartitionOf(site, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
}
