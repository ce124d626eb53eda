using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Zawaroom.Schedules;

namespace Zawaroom.ZoomSync;

public static class ZoomSyncServices
{
    public static IServiceCollection AddZoomSync(this IServiceCollection services)
    {
        services.AddOptions<ZoomOptions>().BindConfiguration("Zawaroom:Zoom");
        services.AddSingleton<ZoomTokenCache>();
        // The Zoom secrets are encrypted with Data Protection, whose key ring the composition root sets up.
        services.AddSingleton<ZoomSettingsStore>();
        services.AddSingleton<ISiteTimeZone, ZoomSiteTimeZone>();
        services.AddSingleton<IZoomSyncFaults, NoFaults>();
        services.AddSingleton<SiteSync>();
        services.AddSingleton<ZoomSyncActivities>();
        // IZoomSyncNow (the one-process Durable host or the queue to the SyncWorker) is chosen by the composition root.
        services.AddHttpClient(ZoomTokenCache.HttpClientName).AddResilienceHandler("zoom-oauth", Retry);
        services.AddHttpClient<ZoomClient>().AddResilienceHandler("zoom-api", Retry);
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
