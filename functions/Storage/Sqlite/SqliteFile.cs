using Microsoft.Data.Sqlite;

namespace Zawaroom.Storage.Sqlite;

/// <summary>
/// One embedded SQLite database file as the adapters use it: WAL mode (readers never wait for the
/// writer), pooled connections, and a busy timeout so concurrent writers wait instead of failing.
/// </summary>
public sealed class SqliteFile
{
    readonly string _connectionString;

    /// <summary>Creates the file's folder and the schema (idempotent SQL) on first use.</summary>
    public SqliteFile(string databasePath, string schema, bool sharedCache = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = sharedCache ? SqliteCacheMode.Shared : SqliteCacheMode.Default,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;\n" + schema;
        command.ExecuteNonQuery();
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 30000;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
