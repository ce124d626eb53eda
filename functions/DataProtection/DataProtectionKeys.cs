using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Azure.Core;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection;
using Zawaroom.Blobs;

namespace Zawaroom.DataProtection;

/// <summary>
/// Where the Data Protection key ring (which encrypts the Zoom secrets, Z1) lives and how it is protected.
/// <see cref="KeyStore"/>: "Blobs" (the blob store: shared by every instance on Azure) or "Folder" (the data
/// directory); by default Blobs with <c>Zawaroom:Stores=Azure</c>. <see cref="KeyVaultKeyId"/>: a Key Vault key
/// (https://{vault}.vault.azure.net/keys/{name}[/{version}]) that wraps the key ring at rest.
/// </summary>
public sealed class DataProtectionKeyOptions
{
    public const string Section = "Zawaroom:DataProtection";
    public string? KeyStore { get; set; }
    public string? KeyVaultKeyId { get; set; }
}

/// <summary>The key ring as blobs ("_platform/data-protection/keys/{name}.xml"): every app instance reads the same keys.</summary>
public sealed class BlobXmlRepository(IBlobStore blobs) : IXmlRepository
{
    public const string Prefix = "_platform/data-protection/keys/";

    // Data Protection calls these synchronously, rarely (the key ring is cached and refreshed about daily).
    public IReadOnlyCollection<XElement> GetAllElements() => Task.Run(async () =>
    {
        var elements = new List<XElement>();
        await foreach (var name in blobs.List(Prefix, CancellationToken.None))
        {
            var blob = await blobs.Open(name, CancellationToken.None);
            if (blob is null) continue;
            await using var content = blob.Value.Content;
            elements.Add(await XElement.LoadAsync(content, LoadOptions.None, CancellationToken.None));
        }
        return (IReadOnlyCollection<XElement>)elements;
    }).GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => Task.Run(async () =>
    {
        var name = Prefix + string.Concat((friendlyName.Length > 0 ? friendlyName : Guid.NewGuid().ToString()).Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')) + ".xml";
        using var buffer = new MemoryStream();
        await element.SaveAsync(buffer, SaveOptions.DisableFormatting, CancellationToken.None);
        buffer.Position = 0;
        await blobs.Put(name, buffer, "application/xml", CancellationToken.None);
    }).GetAwaiter().GetResult();
}

/// <summary>
/// The key ring as files of one folder (the data directory's "keys"), readable by the app's user only: the folder
/// 0700 and every key file 0600 on Unix, created so from the first byte (written to a temporary file made with
/// those permissions, then renamed), and tightened at start when an older run left them open.
/// </summary>
public sealed class OwnerOnlyFolderXmlRepository : IXmlRepository
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    readonly DirectoryInfo _folder;

    public OwnerOnlyFolderXmlRepository(string folder)
    {
        _folder = OperatingSystem.IsWindows() ? Directory.CreateDirectory(folder) : Directory.CreateDirectory(folder, FolderMode);
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(_folder.FullName, FolderMode);
        foreach (var file in _folder.EnumerateFiles()) File.SetUnixFileMode(file.FullName, FileMode);
    }

    public IReadOnlyCollection<XElement> GetAllElements() =>
        _folder.EnumerateFiles("*.xml").Select(f => { using var s = f.OpenRead(); return XElement.Load(s); }).ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.Concat((friendlyName.Length > 0 ? friendlyName : Guid.NewGuid().ToString()).Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
        var temporary = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        using (var stream = new FileStream(temporary, options)) element.Save(stream, SaveOptions.DisableFormatting);
        File.Move(temporary, Path.Combine(_folder.FullName, name + ".xml"), overwrite: false);
    }
}

/// <summary>
/// Key Vault's wrapKey/unwrapKey (REST API 7.4, RSA-OAEP-256) with a token for https://vault.azure.net: the key
/// never leaves the vault. (Azure.Security.KeyVault.Keys and Azure.Extensions.AspNetCore.DataProtection.Keys are not
/// available to this build, so this is the same protocol spoken directly.)
/// </summary>
public sealed class KeyVaultKeyWrapper(HttpClient http, TokenCredential credential)
{
    public const string HttpClientName = "key-vault";
    const string ApiVersion = "api-version=7.4";
    static readonly string[] Scopes = ["https://vault.azure.net/.default"];

    sealed record KeyOperation(string Kid, string Value);
    sealed record KeyBundle(JsonElement Key);

    public int Calls => _calls;
    int _calls;

    /// <summary>Wraps <paramref name="key"/>; returns the versioned key id used, which unwrapping needs.</summary>
    public async Task<(string Kid, byte[] Wrapped)> Wrap(string keyId, byte[] key, CancellationToken ct)
    {
        var versioned = await Versioned(keyId, ct);
        var result = await Post(versioned + "/wrapkey", key, ct);
        return (result.Kid, Base64Url.DecodeFromChars(result.Value));
    }

    public async Task<byte[]> Unwrap(string kid, byte[] wrapped, CancellationToken ct) =>
        Base64Url.DecodeFromChars((await Post(kid.TrimEnd('/') + "/unwrapkey", wrapped, ct)).Value);

    /// <summary>A key id without a version names the key's current version: ask the vault which that is.</summary>
    async Task<string> Versioned(string keyId, CancellationToken ct)
    {
        var uri = new Uri(keyId.TrimEnd('/'));
        if (uri.Segments.Length >= 4) return uri.ToString().TrimEnd('/');
        using var request = await Request(HttpMethod.Get, $"{uri}?{ApiVersion}", ct);
        using var response = await http.SendAsync(request, ct);
        await Ensure(response, ct);
        var bundle = await response.Content.ReadFromJsonAsync<KeyBundle>(ct);
        return bundle!.Key.GetProperty("kid").GetString()!;
    }

    async Task<KeyOperation> Post(string url, byte[] value, CancellationToken ct)
    {
        using var request = await Request(HttpMethod.Post, $"{url}?{ApiVersion}", ct);
        request.Content = JsonContent.Create(new { alg = "RSA-OAEP-256", value = Base64Url.EncodeToString(value) });
        using var response = await http.SendAsync(request, ct);
        await Ensure(response, ct);
        return (await response.Content.ReadFromJsonAsync<KeyOperation>(new JsonSerializerOptions(JsonSerializerDefaults.Web), ct))!;
    }

    async Task<HttpRequestMessage> Request(HttpMethod method, string url, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        var token = await credential.GetTokenAsync(new TokenRequestContext(Scopes), ct);
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return request;
    }

    static async Task Ensure(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
            throw new CryptographicException($"Key Vault answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }
}

/// <summary>
/// Encrypts a key ring element with a fresh AES-256-GCM key that Key Vault wraps (envelope encryption); the
/// element written holds the wrapped key, the key id, nonce, tag and ciphertext, and names its decryptor.
/// </summary>
public sealed class KeyVaultXmlEncryptor(KeyVaultKeyWrapper vault, string keyId) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var cipher = new byte[plain.Length];
        using (var aes = new AesGcm(key, tag.Length)) aes.Encrypt(nonce, plain, cipher, tag);
        var (kid, wrapped) = Task.Run(() => vault.Wrap(keyId, key, CancellationToken.None)).GetAwaiter().GetResult();
        CryptographicOperations.ZeroMemory(key);
        var element = new XElement("encryptedKey",
            new XComment(" This key is encrypted with Azure Key Vault. "),
            new XElement("kid", kid),
            new XElement("key", Convert.ToBase64String(wrapped)),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(cipher)));
        return new EncryptedXmlInfo(element, typeof(KeyVaultXmlDecryptor));
    }
}

/// <summary>Made by Data Protection (through its IServiceProvider constructor) when it reads an element <see cref="KeyVaultXmlEncryptor"/> wrote.</summary>
public sealed class KeyVaultXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var vault = services.GetRequiredService<KeyVaultKeyWrapper>();
        string Part(string name) => (string?)encryptedElement.Element(name) ?? throw new CryptographicException($"The encrypted key has no {name}.");
        var key = Task.Run(() => vault.Unwrap(Part("kid"), Convert.FromBase64String(Part("key")), CancellationToken.None)).GetAwaiter().GetResult();
        var cipher = Convert.FromBase64String(Part("value"));
        var tag = Convert.FromBase64String(Part("tag"));
        var plain = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(key, tag.Length);
            aes.Decrypt(Convert.FromBase64String(Part("nonce")), cipher, tag, plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        return XElement.Parse(Encoding.UTF8.GetString(plain));
    }
}

/// <summary>
/// The Data Protection key ring's parts (ASP.NET Core Data Protection, its options, the Key Vault wrapper).
/// Where the keys live and whether Key Vault wraps them is chosen by the composition root (<see cref="KeyRing"/>).
/// </summary>
public static class DataProtectionServices
{
    public static IServiceCollection AddDataProtectionKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("zawaroom");
        services.AddOptions<DataProtectionKeyOptions>().BindConfiguration(DataProtectionKeyOptions.Section);
        services.AddHttpClient(KeyVaultKeyWrapper.HttpClientName).AddStandardResilienceHandler();
        services.AddSingleton(sp => new KeyVaultKeyWrapper(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(KeyVaultKeyWrapper.HttpClientName), sp.GetRequiredService<TokenCredential>()));
        return services;
    }

    /// <summary>
    /// The key ring in <paramref name="store"/> ("Blobs": the blob store, shared by every instance; "Folder": <paramref name="folder"/>),
    /// wrapped by a Key Vault key when <see cref="DataProtectionKeyOptions.KeyVaultKeyId"/> is set.
    /// </summary>
    public static void KeyRing(Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions o, IServiceProvider sp, string store, string folder)
    {
        var keys = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataProtectionKeyOptions>>().Value;
        o.XmlRepository = (keys.KeyStore ?? store) switch
        {
            "Blobs" => new BlobXmlRepository(sp.GetRequiredService<IBlobStore>()),
            "Folder" => new OwnerOnlyFolderXmlRepository(folder),
            var other => throw new InvalidOperationException($"Zawaroom:DataProtection:KeyStore is '{other}'; known values: Blobs, Folder."),
        };
        if (!string.IsNullOrWhiteSpace(keys.KeyVaultKeyId))
            o.XmlEncryptor = new KeyVaultXmlEncryptor(sp.GetRequiredService<KeyVaultKeyWrapper>(), keys.KeyVaultKeyId);
    }
}
