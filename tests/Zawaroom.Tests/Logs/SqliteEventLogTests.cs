using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Logs;
using Zawaroom.Logs.Sqlite;

namespace Zawaroom.Tests.Logs;

public sealed class SqliteEventLogTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"), "events.db");
    readonly SqliteEventLog _log;
    static readonly DateTimeOffset T0 = new(2026, 11, 23, 15, 30, 0, TimeSpan.Zero);
    static readonly CancellationToken Ct = CancellationToken.None;

    public SqliteEventLogTests() => _log = new SqliteEventLog(_file);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path.GetDirectoryName(_file)!, true); } catch (IOException) { }
    }

    static UsageEvent Event(string site, string id, DateTimeOffset at, string type = EventTypes.Status) => new()
    {
        Id = id, SiteId = site, EventDateTime = at, EventType = type, Email = "alice@x.example", Name = "alice",
        Space = "本社", Room = "開発室", Details = new Dictionary<string, string> { ["status"] = "会議中" },
    };

    [Fact]
    public async Task An_event_with_the_same_id_is_stored_once()
    {
        Assert.True(await _log.Append(Event("s1", "a|c1", T0), Ct));
        Assert.False(await _log.Append(Event("s1", "a|c1", T0.AddSeconds(1)), Ct));
        Assert.True(await _log.Append(Event("s2", "a|c1", T0), Ct));

        Assert.Single(await _log.Read("s1", T0.AddDays(-1), T0.AddDays(1), Ct).ToListAsync());
    }

    [Fact]
    public async Task A_range_read_gives_one_site_oldest_first_with_the_end_excluded()
    {
        await _log.Append(Event("s1", "3", T0.AddMinutes(2)), Ct);
        await _log.Append(Event("s1", "1", T0), Ct);
        await _log.Append(Event("s1", "2", T0.AddMinutes(1)), Ct);
        await _log.Append(Event("s1", "4", T0.AddMinutes(3)), Ct);
        await _log.Append(Event("s2", "x", T0.AddMinutes(1)), Ct);

        var read = await _log.Read("s1", T0, T0.AddMinutes(3), Ct).ToListAsync();

        Assert.Equal(["1", "2", "3"], read.Select(e => e.Id));
        Assert.Equal("会議中", read[0].Details["status"]);
    }

    [Fact]
    public void The_record_has_the_G1_fields_with_JST_next_to_UTC()
    {
        var json = JsonSerializer.SerializeToElement(Event("s1", "1", T0, EventTypes.KnockUser), Json.Options);

        Assert.Equal(T0, json.GetProperty("eventDateTime").GetDateTimeOffset());
        Assert.Equal("2026-11-24T00:30:00.000+09:00", json.GetProperty("eventDateTime(JST)").GetString());
        Assert.Equal("knock user", json.GetProperty("eventType").GetString());
        Assert.Equal("本社", json.GetProperty("space").GetString());
        Assert.Equal("", json.GetProperty("subroom.name").GetString());
        Assert.Equal("会議中", json.GetProperty("details").GetProperty("status").GetString());
    }
}
