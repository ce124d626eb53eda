using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zawaroom.Schedules;

namespace Zawaroom.ZoomSync;

public static class ZoomSyncServices
{
    public static IServiceCollection AddZoomSync(this IServiceCollection services)
    {
        services.AddOptions<ZoomOptions>().BindConfiguration("Zawaroom:Zoom");
        services.AddSingleton<ZoomTokenCache>();
        services.AddDataProtectionKeys();
        services.AddSingleton<ZoomSettingsStore>();
        services.AddSingleton<ISiteTimeZone, ZoomSiteTimeZone>();
        services.TryAddSingleton<IZoomSyncFaults, NoFaults>();
        services.AddSingleton<SiteSync>();
        services.AddSingleton<ZoomSyncActivities>();
        services.AddSingleton<InProcess.InProcessZoomSync>();
        services.AddHostedService(sp => sp.GetRequiredService<InProcess.InProcessZoomSync>());
        services.AddSingleton<AzureQueue.QueueZoomSyncNow>();
        services.AddSingleton<IZoomSyncNow>(sp =>
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ZoomOptions>>().Value.Driver switch
            {
                ZoomOptions.InProcessDriver => sp.GetRequiredService<InProcess.InProcessZoomSync>(),
                ZoomOptions.QueueDriver => sp.GetRequiredService<AzureQueue.QueueZoomSyncNow>(),
                var other => throw new InvalidOperationException($"Zawaroom:Zoom:Driver is '{other}'; known values: InProcess, Queue."),
            });
        services.AddHttpClient(ZoomTokenCache.HttpClientName).AddResilienceHandler("zoom-oauth", Retry);
        services.AddHttpClient<ZoomClient>().AddResilienceHandler("zoom-api", Retry);
        return services;
    }

    /// <summary>
    /// The Data Protection key ring that encrypts the Zoom secrets: in the data directory when embedded; in the blob
    /// store with Azure stores, so every instance (and every restart) reads the same keys; wrapped by a Key Vault key
    /// when Zawaroom:DataProtection:KeyVaultKeyId is set (main.bicep sets it and grants the app wrap/unwrap on that key).
    /// </summary>
    static IServiceCollection AddDataProtectionKeys(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("zawaroom");
        services.AddOptions<DataProtectionKeyOptions>().BindConfiguration(DataProtectionKeyOptions.Section);
        services.TryAddSingleton<Azure.Core.TokenCredential>(_ => new Azure.Identity.DefaultAzureCredential());
        services.AddHttpClient(KeyVaultKeyWrapper.HttpClientName).AddStandardResilienceHandler();
        services.AddSingleton(sp => new KeyVaultKeyWrapper(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(KeyVaultKeyWrapper.HttpClientName), sp.GetRequiredService<Azure.Core.TokenCredential>()));
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var keys = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataProtectionKeyOptions>>().Value;
            var store = keys.KeyStore ?? (configuration["Zawaroom:Stores"] == "Azure" ? "Blobs" : "Folder");
            o.XmlRepository = store switch
            {
                "Blobs" => new BlobXmlRepository(sp.GetRequiredService<Blobs.IBlobStore>()),
                "Folder" => new OwnerOnlyFolderXmlRepository(Path.Combine(Hosting.ZawaroomHost.DataDirectory(configuration), "keys")),
                _ => throw new InvalidOperationException($"Zawaroom:DataProtection:KeyStore is '{store}'; known values: Blobs, Folder."),
            };
            if (!string.IsNullOrWhiteSpace(keys.KeyVaultKeyId))
                o.XmlEncryptor = new KeyVaultXmlEncryptor(sp.GetRequiredService<KeyVaultKeyWrapper>(), keys.KeyVaultKeyId);
        });
        return services;
    }

    /// <summary>
    /// Per-second 429s wait (Retry-After when given, else backoff) and are retried for every method: Zoom did
    /// nothing. 5xx and timeouts are retried only for safe and idempotent methods: a create that timed out may
    /// have happened, and the run's recovery (find by key) handles it instead of a blind second create.
    /// A daily-limit 429 is never retried here: the run defers that work.
    /// </summary>
    static void Retry(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        var options = context.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ZoomOptions>>().Value;
        // Waits between retries are real waits on Zoom, not the app clock (which tests may freeze).
        builder.TimeProvider = TimeProvider.System;
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            MaxDelay = TimeSpan.FromSeconds(30),
            ShouldRetryAfterHeader = true,
            ShouldHandle = args =>
            {
                var response = args.Outcome.Result;
                if (response?.StatusCode == HttpStatusCode.TooManyRequests) return ValueTask.FromResult(ZoomClient.DailyLimitReset(response) is null);
                var method = response?.RequestMessage?.Method ?? args.Context.GetRequestMessage()?.Method;
                var idempotent = method is not null && method != HttpMethod.Post;
                var transient = args.Outcome.Exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                    || (int?)response?.StatusCode >= 500;
                return ValueTask.FromResult(transient && idempotent);
            },
        });
        builder.AddTimeout(TimeSpan.FromSeconds(30));
    }
}
