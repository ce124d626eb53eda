using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Zawaroom.Blobs.Folder;

/// <summary>
/// The embedded blob store: one file per blob under a folder, with a small ".meta" file beside it
/// for the content type. Writes go to a temporary file first and are moved into place, so a reader
/// never sees half a blob.
/// </summary>
public sealed class FolderBlobStore(string root) : IBlobStore
{
    readonly string _root = Path.GetFullPath(root);

    string PathOf(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains("..") || name.StartsWith('/') || name.Contains('\\'))
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
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var file = File.Create(temp))
            await content.CopyToAsync(file, ct);
        await File.WriteAllTextAsync(temp + ".meta", JsonSerializer.Serialize(new { contentType }), ct);
        File.Move(temp + ".meta", path + ".meta", overwrite: true);
        File.Move(temp, path, overwrite: true);
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
            if (name.StartsWith(prefix, StringComparison.Ordinal)) yield return name;
        }
        await Task.CompletedTask;
    }
}
