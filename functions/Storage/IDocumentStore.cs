namespace Zawaroom.Storage;

/// <summary>A stored document: its value and the ETag to send back on the next write.</summary>
public sealed record Stored<T>(string Id, T Value, string ETag);

/// <summary>
/// The document store port (ARCHITECTURE.md "Ports"). Every call names the partition: the site id
/// for a site's data, <see cref="Partitions.Platform"/> for the site registry. <c>kind</c> is the
/// document type ("member", "room" …); ids are unique per partition and kind. A query never
/// crosses partitions, which is what lets Cosmos DB (partition key = site id) implement this
/// without any feature changing.
/// </summary>
public interface IDocumentStore
{
    Task<Stored<T>?> Get<T>(string partition, string kind, string id, CancellationToken ct);

    /// <summary>Creates the document; throws <see cref="DocumentExistsException"/> when the id is taken.</summary>
    Task<Stored<T>> Create<T>(string partition, string kind, string id, T value, CancellationToken ct);

    /// <summary>
    /// Replaces the document. With <paramref name="ifMatch"/> the write only happens when the stored
    /// ETag still equals it (else <see cref="ConcurrencyException"/>); a missing document also fails
    /// with <see cref="ConcurrencyException"/> when an ETag was given, and creates it when none was.
    /// </summary>
    Task<Stored<T>> Replace<T>(string partition, string kind, string id, T value, string? ifMatch, CancellationToken ct);

    /// <summary>Deletes; false when there was nothing to delete. A stale <paramref name="ifMatch"/> throws.</summary>
    Task<bool> Delete(string partition, string kind, string id, string? ifMatch, CancellationToken ct);

    /// <summary>All documents of one kind in one partition, ordered by id, streamed.</summary>
    IAsyncEnumerable<Stored<T>> List<T>(string partition, string kind, CancellationToken ct);

    /// <summary>How many documents of one kind a partition holds.</summary>
    Task<int> Count(string partition, string kind, CancellationToken ct);
}

public static class Partitions
{
    /// <summary>The partition of platform-wide documents: the site registry and subdomain index.</summary>
    public const string Platform = "_platform";
}

/// <summary>The stored ETag no longer matches: someone else wrote first.</summary>
public sealed class ConcurrencyException(string message) : Exception(message);

/// <summary>A create hit an id that exists already.</summary>
public sealed class DocumentExistsException(string message) : Exception(message);

public static class DocumentStoreExtensions
{
    /// <summary>
    /// Read-modify-write with optimistic concurrency, retried a few times when another writer won
    /// the race; <paramref name="change"/> returns null to leave the document as it is.
    /// </summary>
    public static async Task<Stored<T>?> Update<T>(this IDocumentStore store, string partition, string kind, string id,
        Func<T, T?> change, CancellationToken ct) where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.Get<T>(partition, kind, id, ct);
            if (current is null) return null;
            var next = change(current.Value);
            if (next is null) return current;
            try
            {
                return await store.Replace(partition, kind, id, next, current.ETag, ct);
            }
            catch (ConcurrencyException) when (attempt < 5)
            {
            }
        }
    }

    public static async Task<List<T>> ListValues<T>(this IDocumentStore store, string partition, string kind, CancellationToken ct)
    {
        var items = new List<T>();
        await foreach (var doc in store.List<T>(partition, kind, ct)) items.Add(doc.Value);
        return items;
    }
}
