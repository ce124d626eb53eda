using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zawaroom.Common;

namespace Zawaroom.Storage.Sqlite;

/// <summary>
/// The embedded document store: one SQLite table keyed by (partition, kind, id), the value as JSON
/// and a fresh ETag on every write. WAL mode, so readers never wait for the writer.
/// </summary>
public sealed class SqliteDocumentStore : IDocumentStore
{
    readonly SqliteFile _file;

    public SqliteDocumentStore(string databasePath) => _file = new SqliteFile(databasePath, """
        CREATE TABLE IF NOT EXISTS documents (
            partition TEXT NOT NULL,
            kind      TEXT NOT NULL,
            id        TEXT NOT NULL,
            etag      TEXT NOT NULL,
            value     TEXT NOT NULL,
            PRIMARY KEY (partition, kind, id)
        ) WITHOUT ROWID;
        """, sharedCache: true);

    SqliteConnection Open() => _file.Open();

    static string NewETag() => "\"" + Guid.NewGuid().ToString("N") + "\"";

    public async Task<Stored<T>?> Get<T>(string partition, string kind, string id, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, value FROM documents WHERE partition = $p AND kind = $k AND id = $id";
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$k", kind);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new Stored<T>(id, Deserialize<T>(reader.GetString(1)), reader.GetString(0));
    }

    public async Task<Stored<T>> Create<T>(string partition, string kind, string id, T value, CancellationToken ct)
    {
        var etag = NewETag();
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO documents (partition, kind, id, etag, value) VALUES ($p, $k, $id, $etag, $value)";
        Bind(command, partition, kind, id, etag, value);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: the key exists
        {
            throw new DocumentExistsException($"{kind} '{id}' exists already.");
        }
        return new Stored<T>(id, value, etag);
    }

    public async Task<Stored<T>> Replace<T>(string partition, string kind, string id, T value, string? ifMatch, CancellationToken ct)
    {
        var etag = NewETag();
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        if (ifMatch is null)
        {
            command.CommandText = """
                INSERT INTO documents (partition, kind, id, etag, value) VALUES ($p, $k, $id, $etag, $value)
                ON CONFLICT (partition, kind, id) DO UPDATE SET etag = excluded.etag, value = excluded.value
                """;
        }
        else
        {
            command.CommandText = "UPDATE documents SET etag = $etag, value = $value WHERE partition = $p AND kind = $k AND id = $id AND etag = $ifMatch";
            command.Parameters.AddWithValue("$ifMatch", ifMatch);
        }
        Bind(command, partition, kind, id, etag, value);
        var changed = await command.ExecuteNonQueryAsync(ct);
        if (changed == 0) throw new ConcurrencyException($"{kind} '{id}' was changed or removed since it was read.");
        return new Stored<T>(id, value, etag);
    }

    public async Task<bool> Delete(string partition, string kind, string id, string? ifMatch, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM documents WHERE partition = $p AND kind = $k AND id = $id"
            + (ifMatch is null ? "" : " AND etag = $ifMatch");
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$k", kind);
        command.Parameters.AddWithValue("$id", id);
        if (ifMatch is not null) command.Parameters.AddWithValue("$ifMatch", ifMatch);
        var deleted = await command.ExecuteNonQueryAsync(ct) > 0;
        if (!deleted && ifMatch is not null && await Get<JsonElement>(partition, kind, id, ct) is not null)
            throw new ConcurrencyException($"{kind} '{id}' was changed since it was read.");
        return deleted;
    }

    public async IAsyncEnumerable<Stored<T>> List<T>(string partition, string kind, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, etag, value FROM documents WHERE partition = $p AND kind = $k ORDER BY id";
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$k", kind);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return new Stored<T>(reader.GetString(0), Deserialize<T>(reader.GetString(2)), reader.GetString(1));
    }

    public async Task<int> Count(string partition, string kind, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM documents WHERE partition = $p AND kind = $k";
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$k", kind);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    static void Bind<T>(SqliteCommand command, string partition, string kind, string id, string etag, T value)
    {
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$k", kind);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$value", JsonSerializer.Serialize(value, Json.Options));
    }

    static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Json.Options)!;
}
