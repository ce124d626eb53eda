namespace Zawaroom.Blobs;

public sealed record BlobInfo(string ContentType, long Length);

/// <summary>
/// The blob store port: backgrounds, BGM, images, CSV exports, .zawa files. Names are paths whose
/// first segment is the site id ("{siteId}/rooms/{roomId}/background"), so one site's blobs never
/// mix with another's.
/// </summary>
public interface IBlobStore
{
    Task Put(string name, Stream content, string contentType, CancellationToken ct);
    Task<(Stream Content, BlobInfo Info)?> Open(string name, CancellationToken ct);
    Task<bool> Delete(string name, CancellationToken ct);
    /// <summary>Deletes every blob whose name starts with <paramref name="prefix"/>.</summary>
    Task DeletePrefix(string prefix, CancellationToken ct);
    IAsyncEnumerable<string> List(string prefix, CancellationToken ct);
}
