using System.Diagnostics;
using System.Text.Json;

namespace Zawaroom.Tests.Deployment;

/// <summary>
/// infra/main.bicep compiled with the Bicep CLI of the NuGet package Azure.Bicep.CommandLine.linux-x64
/// (a PackageDownload of this test project, so `dotnet restore` brings it).
/// </summary>
public sealed class InfraTests
{
    const string BicepVersion = "0.49.2";

    static string Bicep()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "azure.bicep.commandline.linux-x64", BicepVersion, "tools", "bicep");
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: `dotnet restore tests/Zawaroom.Tests` downloads it.");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        return path;
    }

    static readonly Lazy<(int ExitCode, string Json, string Messages)> Compiled = new(() =>
    {
        var info = new ProcessStartInfo(Bicep()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "build", Repo.File_("infra", "main.bicep"), "--stdout" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    });

    static JsonElement Template()
    {
        var (exitCode, json, messages) = Compiled.Value;
        Assert.True(exitCode == 0, "bicep build failed:\n" + messages);
        return JsonDocument.Parse(json).RootElement;
    }

    static List<JsonElement> Resources() => [.. Template().GetProperty("resources").EnumerateArray()];

    /// <summary>A Function App by its name variable: "functions" (the API app) or "syncWorker".</summary>
    static JsonElement Site(string name) => Resources().Single(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites"
        && r.GetProperty("name").GetString() == $"[variables('names').{name}]");

    static string SettingsOf(string name) => Site(name).GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings").GetString()!;

    [Fact]
    public void Main_bicep_compiles_without_errors_or_warnings()
    {
        Template();
        Assert.True(string.IsNullOrWhiteSpace(Compiled.Value.Messages), "bicep build said:\n" + Compiled.Value.Messages);
    }

    [Fact]
    public void Every_service_of_the_architecture_is_declared_as_a_plain_resource()
    {
        var types = Resources().Select(r => r.GetProperty("type").GetString()).ToHashSet();

        string[] expected =
        [
            "Microsoft.Web/sites", "Microsoft.Web/serverfarms", "Microsoft.DocumentDB/databaseAccounts",
            "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers", "Microsoft.Storage/storageAccounts",
            "Microsoft.Storage/storageAccounts/blobServices/containers", "Microsoft.SignalRService/signalR",
            "Microsoft.Web/staticSites", "Microsoft.KeyVault/vaults", "Microsoft.Insights/components",
        ];
        Assert.All(expected, type => Assert.Contains(type, types));
        Assert.DoesNotContain("br/public:", File.ReadAllText(Repo.File_("infra", "main.bicep")));
    }

    [Fact]
    public void Cosmos_is_serverless_and_partitions_documents_by_site_id()
    {
        var text = Compiled.Value.Json;
        Template();
        var containers = Resources().Where(r => r.GetProperty("type").GetString() == "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
            .ToDictionary(c => c.GetProperty("properties").GetProperty("resource").GetProperty("id").GetString()!,
                c => c.GetProperty("properties").GetProperty("resource").GetProperty("partitionKey").GetProperty("paths").EnumerateArray().Select(p => p.GetString()).ToList());
        // Names are Bicep variables, compiled to expressions; match the three containers by their partition keys.
        var keys = containers.Values.Select(v => string.Join(",", v)).Order().ToList();
        Assert.Equal([Zawaroom.Logs.Cosmos.CosmosEventLog.PartitionKeyPath, Zawaroom.Storage.Cosmos.CosmosDocumentStore.PartitionKeyPath,
            Zawaroom.Presence.Cosmos.CosmosPresenceStore.PartitionKeyPath], keys);
        Assert.Contains("EnableServerless", text);
    }

    [Fact]
    public void SignalR_runs_serverless_with_an_upstream_to_the_app()
    {
        var signalr = Resources().Single(r => r.GetProperty("type").GetString() == "Microsoft.SignalRService/signalR");
        var properties = signalr.GetProperty("properties");
        Assert.Contains(properties.GetProperty("features").EnumerateArray(),
            f => f.GetProperty("flag").GetString() == "ServiceMode" && f.GetProperty("value").GetString() == "Serverless");
        Assert.Single(properties.GetProperty("upstream").GetProperty("templates").EnumerateArray());
    }

    [Fact]
    public void The_function_app_runs_the_custom_handler_on_azure_stores_with_secrets_from_key_vault()
    {
        // With concat() the settings compile into one ARM expression: createObject('name', …, 'value', …).
        var settings = SettingsOf("functions");

        Assert.Contains("'FUNCTIONS_WORKER_RUNTIME', 'value', 'custom'", settings);
        Assert.Contains("'Zawaroom__Stores', 'value', 'Azure'", settings);
        Assert.Contains("'Zawaroom__Auth__LocalLogin', 'value', 'false'", settings);
        Assert.Contains("'ASPNETCORE_ENVIRONMENT', 'value', 'Production'", settings);
        foreach (var secret in new[] { "Zawaroom__Cosmos__ConnectionString", "Zawaroom__Blobs__ConnectionString", "Zawaroom__OperatorKey" })
            Assert.Contains($"'{secret}', 'value', format('@Microsoft.KeyVault(SecretUri=", settings);
        Assert.Contains("'Zawaroom__Identity__Aad__ClientId', 'value', parameters('aadClientId')", settings);
    }

    [Fact]
    public void The_data_protection_key_ring_is_wrapped_by_a_key_vault_key_the_app_may_only_wrap_and_unwrap_with()
    {
        var key = Resources().Single(r => r.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults/keys");
        Assert.Equal(["wrapKey", "unwrapKey"], key.GetProperty("properties").GetProperty("keyOps").EnumerateArray().Select(o => o.GetString()!).ToArray());
        var settings = SettingsOf("functions");
        Assert.Contains("'Zawaroom__DataProtection__KeyVaultKeyId', 'value', reference(", settings);
        Assert.Contains("'Zawaroom__DataProtection__KeyStore', 'value', 'Blobs'", settings);
        // Key Vault Crypto Service Encryption User, scoped to that key, for the app's managed identity.
        Assert.Contains("e147488a-f6f5-4113-8e2d-b22465e65bf6", Template().GetProperty("variables").GetProperty("keyVaultCryptoServiceEncryptionUser").GetString());
        var grants = Resources().Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"
            && r.GetProperty("properties").GetProperty("roleDefinitionId").GetString() == "[variables('keyVaultCryptoServiceEncryptionUser')]").ToList();
        Assert.All(grants, g => Assert.Contains("Microsoft.KeyVault/vaults/keys", g.GetProperty("scope").GetString()));
        // Both apps read the Zoom secrets: the API app and the SyncWorker.
        Assert.Contains(grants, g => g.GetProperty("properties").GetProperty("principalId").GetString()!.Contains("names').functions"));
        Assert.Contains(grants, g => g.GetProperty("properties").GetProperty("principalId").GetString()!.Contains("names').syncWorker"));
    }

    [Fact]
    public void The_sync_worker_is_a_dotnet_isolated_function_app_with_its_own_task_hub_storage_and_the_same_stores()
    {
        var worker = Site("syncWorker");
        Assert.Equal("SystemAssigned", worker.GetProperty("identity").GetProperty("type").GetString());
        var settings = SettingsOf("syncWorker");
        Assert.Contains("'FUNCTIONS_WORKER_RUNTIME', 'value', 'dotnet-isolated'", settings);
        // Its own storage account (the task hub and the queue), not the API app's.
        Assert.Contains("'AzureWebJobsStorage', 'value', format('DefaultEndpointsProtocol=https;AccountName={0};AccountKey={1};EndpointSuffix={2}', variables('names').syncStorage", settings);
        Assert.Contains("'ZoomSyncQueue', 'value', format('DefaultEndpointsProtocol=https;AccountName={0};AccountKey={1};EndpointSuffix={2}', variables('names').syncStorage", settings);
        Assert.Contains("'Zawaroom__Stores', 'value', 'Azure'", settings);
        // The same stores and key ring as the API app (one Bicep variable given to both).
        foreach (var secret in new[] { "Zawaroom__Cosmos__ConnectionString", "Zawaroom__Blobs__ConnectionString" })
            Assert.Contains($"'{secret}', 'value', format('@Microsoft.KeyVault(SecretUri=", settings);
        Assert.Contains("'Zawaroom__DataProtection__KeyVaultKeyId', 'value', reference(", settings);
        Assert.Contains("'Zawaroom__DataProtection__KeyStore', 'value', 'Blobs'", settings);
        Assert.Contains(Resources(), r => r.GetProperty("type").GetString() == "Microsoft.Storage/storageAccounts/queueServices/queues");
        var api = SettingsOf("functions");
        Assert.Contains("'Zawaroom__Zoom__Driver', 'value', 'Queue'", api);
        Assert.Contains("'Zawaroom__Logs__RetentionTimer', 'value', 'false'", api);
    }
}

public sealed class InfraSettingsTests
{
    /// <summary>Each "Zawaroom__…" app setting of main.bicep names a property the app binds (a typo would be silently ignored).</summary>
    [Fact]
    public void Every_zawaroom_setting_in_the_template_is_one_the_app_reads()
    {
        var text = File.ReadAllText(Repo.File_("infra", "main.bicep"));
        var names = System.Text.RegularExpressions.Regex.Matches(text, @"'(Zawaroom__[A-Za-z0-9_]+?)(__\$\{i\})?'")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("Zawaroom__Cosmos__ConnectionString", names);

        var sections = new Dictionary<string, Type>
        {
            ["Cosmos"] = typeof(Zawaroom.Storage.Cosmos.CosmosStoreOptions),
            ["Blobs"] = typeof(Zawaroom.Blobs.Azure.AzureBlobOptions),
            ["Identity"] = typeof(Zawaroom.Identity.Entra.EntraOptions),
            ["Sites"] = typeof(Zawaroom.Sites.SiteRoutingOptions),
            ["DataProtection"] = typeof(Zawaroom.DataProtection.DataProtectionKeyOptions),
            ["Zoom"] = typeof(Zawaroom.ZoomSync.ZoomOptions),
            ["Logs"] = typeof(Zawaroom.Logs.Export.LogExportRetentionOptions),
        };
        // Read directly from configuration by the foundation (ZawaroomHost) or by the realtime feature.
        string[] plainKeys = ["Stores", "Auth__LocalLogin", "SeedDemo", "OperatorKey", "SignalR__ConnectionString"];
        foreach (var name in names)
        {
            var path = name["Zawaroom__".Length..];
            if (plainKeys.Contains(path)) continue;
            var parts = path.Split("__");
            Assert.True(sections.TryGetValue(parts[0], out var type), $"{name}: no options section '{parts[0]}'");
            foreach (var part in parts[1..])
            {
                var property = type!.GetProperty(part);
                Assert.True(property is not null, $"{name}: {type.Name} has no property '{part}'");
                type = property!.PropertyType;
            }
        }
    }
}
