using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Zawaroom.Blobs.Folder;

/// <summary>
/// The embedded blob store: one file per blob under a folder, with a small ".meta" file beside it
/// for the content type. Writes go to a file in <see cref="IncomingFolder"/> first, flushed to disk,
/// and are then renamed into place (meta first, the blob last: the blob's name appearing is the
/// commit), so a reader never sees half a blob. A process killed mid-write leaves only files in the
/// incoming folder or a lone ".meta"; the next start removes both.
/// </summary>
public sealed class FolderBlobStore : IBlobStore
{
    /// <summary>Where writes in progress live, inside the root so that the final rename stays on one file system.</summary>
    public const string IncomingFolder = ".incoming";

    readonly string _root;
    readonly string _incoming;

    public FolderBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        _incoming = Path.Combine(_root, IncomingFolder);
        RemoveUnfinishedWrites();
    }

    /// <summary>The embedded store has one process: whatever is still incoming at its start was cut off by a crash.</summary>
    void RemoveUnfinishedWrites()
    {
        if (Directory.Exists(_incoming)) Directory.Delete(_incoming, recursive: true);
        if (!Directory.Exists(_root)) return;
        foreach (var meta in Directory.EnumerateFiles(_root, "*.meta", SearchOption.AllDirectories))
        {
            var blob = meta[..^".meta".Length];
            if (!File.Exists(blob) || blob.EndsWith(".tmp", StringComparison.Ordinal)) File.Delete(meta);
        }
        // Left by versions that wrote temporary files beside the blob.
        foreach (var temp in Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories)) File.Delete(temp);
    }

    string PathOf(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains("..") || name.StartsWith('/') || name.StartsWith(IncomingFolder, StringComparison.Ordinal) || name.Contains('\\'))
            throw new ArgumentException($"Bad blob name '{name}'.", nameof(name));
        var full = Path.GetFullPath(Path.Combine(_root, name));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"Bad blob name '{name}'.", nameof(name));
        return full;
    }

    public async Task Put(string name, Stream content, string contentType, CancellationToken ct)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Directory.CreateDirectory(_incoming);
        var temp = Path.Combine(_incoming, Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await content.CopyToAsync(file, ct);
                file.Flush(flushToDisk: true); // the rename below must not publish a name whose bytes are still only in memory
            }
            await File.WriteAllTextAsync(temp + ".meta", JsonSerializer.Serialize(new { contentType }), ct);
            File.Move(temp + ".meta", path + ".meta", overwrite: true);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
            File.Delete(temp + ".meta");
        }
    }

    public Task<(Stream Content, BlobInfo Info)?> Open(string name, CancellationToken ct)
    {
        var path = PathOf(name);
        if (!File.Exists(path)) return Task.FromResult<(Stream, BlobInfo)?>(null);
        var contentType = "application/octet-stream";
        if (File.Exists(path + ".meta"))
        {
            using var meta = JsonDocument.Parse(File.ReadAllText(path + ".meta"));
            contentType = meta.RootElement.GetProperty("contentType").GetString() ?? contentType;
        }
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        return Task.FromResult<(Stream, BlobInfo)?>((stream, new BlobInfo(contentType, stream.Length)));
    }

    public Task<bool> Delete(string name, CancellationToken ct)
    {
        var path = PathOf(name);
        var existed = File.Exists(path);
        File.Delete(path);
        File.Delete(path + ".meta");
        return Task.FromResult(existed);
    }

    public async Task DeletePrefix(string prefix, CancellationToken ct)
    {
        await foreach (var name in List(prefix, ct)) await Delete(name, ct);
    }

    public async IAsyncEnumerable<string> List(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!Directory.Exists(_root)) yield break;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            if (file.EndsWith(".meta", StringComparison.Ordinal) || file.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            var name = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(IncomingFolder + "/", StringComparison.Ordinal)) continue;
            if (name.StartsWith(prefix, StringComparison.Ordinal)) yield return name;
        }
        await Task.CompletedTask;
    }
}
