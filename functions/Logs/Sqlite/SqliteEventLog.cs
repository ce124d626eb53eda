using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zawaroom.Common;
using Zawaroom.Storage.Sqlite;

namespace Zawaroom.Logs.Sqlite;

/// <summary>
/// The embedded event log: its own SQLite file, one row per event keyed by (site, id) so a
/// duplicate append is ignored, indexed by (site, time) for range reads; events of the same instant
/// come back in the order they were appended.
/// </summary>
public sealed class SqliteEventLog : IEventLog
{
    readonly SqliteFile _file;

    public SqliteEventLog(string databasePath) => _file = new SqliteFile(databasePath, """
        CREATE TABLE IF NOT EXISTS usage_events (
            site  TEXT    NOT NULL,
            id    TEXT    NOT NULL,
            at    INTEGER NOT NULL,
            value TEXT    NOT NULL,
            PRIMARY KEY (site, id)
        );
        CREATE INDEX IF NOT EXISTS usage_events_by_time ON usage_events (site, at);
        """);

    SqliteConnection Open() => _file.Open();

    public async Task<bool> Append(UsageEvent usage, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO usage_events (site, id, at, value) VALUES ($site, $id, $at, $value)";
        command.Parameters.AddWithValue("$site", usage.SiteId);
        command.Parameters.AddWithValue("$id", usage.Id);
        command.Parameters.AddWithValue("$at", usage.EventDateTime.UtcTicks);
        command.Parameters.AddWithValue("$value", JsonSerializer.Serialize(usage, Json.Options));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async IAsyncEnumerable<UsageEvent> Read(string siteId, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM usage_events WHERE site = $site AND at >= $from AND at < $to ORDER BY at, rowid";
        command.Parameters.AddWithValue("$site", siteId);
        command.Parameters.AddWithValue("$from", from.UtcTicks);
        command.Parameters.AddWithValue("$to", to.UtcTicks);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return JsonSerializer.Deserialize<UsageEvent>(reader.GetString(0), Json.Options)!;
    }
}
