using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Zawaroom.Blobs.Azure;

/// <summary><c>Zawaroom:Blobs</c>: the storage account and container of the blob store.</summary>
public sealed class AzureBlobOptions
{
    public const string Section = "Zawaroom:Blobs";

    /// <summary>The storage account's connection string (from Key Vault in Azure).</summary>
    public string? ConnectionString { get; set; }
    public string Container { get; set; } = "zawaroom";

    /// <summary>Creates the container when missing (infra/ creates it in Azure).</summary>
    public bool CreateIfNotExists { get; set; } = true;
}

/// <summary>
/// The blob store on Azure Blob Storage: one private container, blob name = the port's name
/// ("{siteId}/rooms/…"), the content type in the blob's HTTP headers.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    readonly BlobContainerClient _container;
    readonly Lazy<Task> _ready;

    public AzureBlobStore(AzureBlobOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new InvalidOperationException("Zawaroom:Stores is Azure but Zawaroom:Blobs:ConnectionString is not set.");
        _container = new BlobContainerClient(options.ConnectionString, options.Container);
        _ready = new Lazy<Task>(() => options.CreateIfNotExists
            ? _container.CreateIfNotExistsAsync(PublicAccessType.None)
            : Task.CompletedTask);
    }

    /// <summary>The same names as the folder store accepts, so a feature cannot depend on one adapter.</summary>
    static string Check(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains("..") || name.StartsWith('/') || name.Contains('\\') || name.EndsWith('/'))
            throw new ArgumentException($"Bad blob name '{name}'.", nameof(name));
        return name;
    }

    async Task<BlobClient> Blob(string name)
    {
        await _ready.Value;
        return _container.GetBlobClient(Check(name));
    }

    public async Task Put(string name, Stream content, string contentType, CancellationToken ct)
    {
        var blob = await Blob(name);
        await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, ct);
    }

    public async Task<(Stream Content, BlobInfo Info)?> Open(string name, CancellationToken ct)
    {
        var blob = await Blob(name);
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: ct);
            var details = download.Value.Details;
            return (download.Value.Content, new BlobInfo(details.ContentType ?? "application/octet-stream", details.ContentLength));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> Delete(string name, CancellationToken ct)
    {
        var blob = await Blob(name);
        return (await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct)).Value;
    }

    public async Task DeletePrefix(string prefix, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var name in List(prefix, ct)) names.Add(name);
        foreach (var name in names) await Delete(name, ct);
    }

    public async IAsyncEnumerable<string> List(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        await _ready.Value;
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, ct))
            yield return item.Name;
    }
}
