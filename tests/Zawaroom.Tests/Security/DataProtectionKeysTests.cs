using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zawaroom.Blobs.Folder;
using Zawaroom.Tests.Support;
using Zawaroom.DataProtection;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.Security;

/// <summary>Key Vault's key operations as Data Protection needs them: get key, wrapKey and unwrapKey with RSA-OAEP-256, bearer-checked.</summary>
public sealed class KeyVaultStandIn : IAsyncLifetime
{
    public const string Token = "kv-test-token";
    readonly RSA _rsa = RSA.Create(2048);
    WebApplication? _app;
    public string BaseUrl { get; private set; } = "";
    public string KeyId => $"{BaseUrl}/keys/dataprotection";
    public int Wraps;
    public int Unwraps;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (http, next) =>
        {
            if (http.Request.Headers.Authorization != $"Bearer {Token}" || http.Request.Query["api-version"] != "7.4")
            {
                http.Response.StatusCode = 401;
                return;
            }
            await next(http);
        });
        _app.MapGet("/keys/{name}", (string name) => Results.Json(new { key = new { kid = $"{BaseUrl}/keys/{name}/v1", kty = "RSA" } }));
        _app.MapPost("/keys/{name}/{version}/{operation}", async (string name, string version, string operation, HttpContext http) =>
        {
            var body = (await JsonNode.ParseAsync(http.Request.Body))!;
            if ((string?)body["alg"] != "RSA-OAEP-256" || version != "v1") return Results.BadRequest();
            var value = Base64Url.DecodeFromChars((string)body["value"]!);
            byte[] result;
            switch (operation)
            {
                case "wrapkey": Interlocked.Increment(ref Wraps); result = _rsa.Encrypt(value, RSAEncryptionPadding.OaepSHA256); break;
                case "unwrapkey": Interlocked.Increment(ref Unwraps); result = _rsa.Decrypt(value, RSAEncryptionPadding.OaepSHA256); break;
                default: return Results.NotFound();
            }
            return Results.Json(new { kid = $"{BaseUrl}/keys/{name}/{version}", value = Base64Url.EncodeToString(result) });
        });
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() { if (_app is not null) await _app.DisposeAsync(); _rsa.Dispose(); }
}

public sealed class StaticToken(string token) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(token, DateTimeOffset.UtcNow.AddHours(1));
    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

public sealed class DataProtectionKeysTests(KeyVaultStandIn vault) : IClassFixture<KeyVaultStandIn>
{
    TestApp App(string? dataDirectory = null)
    {
        var app = new TestApp()
            .With("Zawaroom:DataProtection:KeyStore", "Blobs")
            .With("Zawaroom:DataProtection:KeyVaultKeyId", vault.KeyId)
            .WithServices(s => s.AddSingleton<TokenCredential>(new StaticToken(KeyVaultStandIn.Token)));
        if (dataDirectory is not null) app.With("Zawaroom:DataDirectory", dataDirectory);
        return app;
    }

    [Fact]
    public async Task The_key_ring_lives_in_the_blob_store_wrapped_by_key_vault_and_another_instance_reads_the_secrets()
    {
        var first = App();
        await first.InitializeAsync();
        try
        {
        var site = await first.CreateSite("dpkeys");
        var admin = await site.Admin();
        await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/zoom"), new
        {
            enabled = false, accountId = "acc", clientId = "cid", clientSecret = "s3cret-value", webhookSecretToken = "wh-token", timeZone = "Asia/Tokyo",
        }));
        var siteId = (await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("me")))).GetProperty("siteId").GetString()!;

        var keyFiles = Directory.GetFiles(Path.Combine(first.DataDirectory, "blobs", "_platform", "data-protection", "keys"), "*.xml");
        var ring = await File.ReadAllTextAsync(Assert.Single(keyFiles));
        Assert.Contains("encryptedSecret", ring);
        Assert.Contains(typeof(KeyVaultXmlDecryptor).FullName!, ring);
        Assert.DoesNotContain("masterKey", ring);
        Assert.False(Directory.Exists(Path.Combine(first.DataDirectory, "keys")));
        Assert.True(vault.Wraps >= 1);

        // A second instance on the same stores (as another Functions instance would be) unwraps the ring and reads the secret.
        var unwrapsBefore = vault.Unwraps;
        await using var second = App(first.DataDirectory);
        await second.InitializeAsync();
        var settings = second.Services.GetRequiredService<ZoomSettingsStore>();
        var credentials = settings.Credentials(siteId, await settings.Get(siteId, CancellationToken.None));

        Assert.Equal("s3cret-value", credentials!.ClientSecret);
        Assert.True(vault.Unwraps > unwrapsBefore);
        }
        finally
        {
            await ((IAsyncLifetime)first).DisposeAsync();
        }
    }

    [Fact]
    public void The_blob_repository_gives_back_what_it_stored()
    {
        var root = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var repository = new BlobXmlRepository(new FolderBlobStore(root));
            repository.StoreElement(new XElement("key", new XAttribute("id", "1")), "key-1");
            repository.StoreElement(new XElement("key", new XAttribute("id", "2")), "key-2");

            Assert.Equal(["1", "2"], repository.GetAllElements().Select(e => (string)e.Attribute("id")!).Order().ToArray());
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}

/// <summary>Probe finding: the embedded key ring (it encrypts the Zoom secrets) and the token signing keys were readable by every local user.</summary>
public sealed class KeyFilePermissionsTests
{
    [Fact]
    public async Task The_embedded_key_ring_and_signing_keys_are_readable_by_the_apps_user_only()
    {
        if (OperatingSystem.IsWindows()) return; // ACLs there, not modes
        await using var app = new TestApp();
        await app.InitializeAsync();
        var site = await app.CreateSite("dp_perm");
        var admin = await site.Admin();
        // Saving a Zoom secret makes the key ring.
        await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/zoom"), new { webhookSecretToken = "whsec-perm" }));

        var keys = Path.Combine(app.DataDirectory, "keys");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        var files = Directory.GetFiles(keys);
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(app.DataDirectory, "local-login.key")));
    }

    [Fact]
    public void A_key_ring_folder_left_open_by_an_older_run_is_tightened_at_start()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"), "keys");
        Directory.CreateDirectory(folder);
        var old = Path.Combine(folder, "key-1.xml");
        File.WriteAllText(old, "<key/>");
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(old, (UnixFileMode)0b110_100_100);

        var repository = new Zawaroom.DataProtection.OwnerOnlyFolderXmlRepository(folder);
        repository.StoreElement(new System.Xml.Linq.XElement("key"), "key-2");

        Assert.Equal(Zawaroom.DataProtection.OwnerOnlyFolderXmlRepository.FolderMode, File.GetUnixFileMode(folder));
        Assert.All(Directory.GetFiles(folder), f => Assert.Equal(Zawaroom.DataProtection.OwnerOnlyFolderXmlRepository.FileMode, File.GetUnixFileMode(f)));
        Assert.Equal(2, repository.GetAllElements().Count);
        Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
    }
}
