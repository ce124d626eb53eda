using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

using Zawaroom.Live;

namespace Zawaroom.Realtime.AzureSignalR;

/// <summary>Whether the live room runs on Azure SignalR Service: stores "Azure" and a SignalR connection string.</summary>
public sealed record AzureSignalRSelection(bool Enabled);

public static class AzureSignalRServices
{
    public const string HttpClientName = "azure-signalr";

    /// <summary>
    /// The parts of the Azure SignalR Service adapter (serverless: REST API, negotiation, upstream);
    /// the composition root binds the realtime ports to them when <c>Zawaroom:Stores</c> is Azure and
    /// <c>Zawaroom:SignalR:ConnectionString</c> is set (<see cref="AzureSignalRSelection"/>).
    /// </summary>
    public static IServiceCollection AddAzureSignalR(this IServiceCollection services)
    {
        services.AddOptions<AzureSignalROptions>().BindConfiguration(AzureSignalROptions.Section);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AzureSignalROptions>>().Value);
        services.AddSingleton(sp => SignalRConnection.Parse(sp.GetRequiredService<AzureSignalROptions>().ConnectionString
            ?? throw new InvalidOperationException("Zawaroom:SignalR:ConnectionString is not set.")));
        services.AddSingleton(sp => new ServiceTokens(sp.GetRequiredService<SignalRConnection>(), sp.GetRequiredService<TimeProvider>()));
        // A typed client held by a singleton: pooled connections are renewed every few minutes so DNS changes are seen;
        // transient failures (5xx, 429, timeouts) are retried by the standard resilience pipeline, except that a
        // POST (:send, not idempotent) is retried only when the service certainly did not take it.
        services.AddHttpClient<SignalRRestClient>()
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler(o => o.Retry.ShouldHandle = args => ValueTask.FromResult(ShouldRetry(
                args.Context.GetRequestMessage()?.Method, args.Outcome.Result?.StatusCode, args.Outcome.Exception)));
        services.AddSingleton<AzureSignalRBroadcaster>();
        services.AddSingleton<AzureSignalRNegotiation>();
        services.AddSingleton<UpstreamHandler>();
        services.AddSingleton<PresenceViews>();
        return services;
    }

    /// <summary>
    /// Whether a failed REST call is tried again. PUT and DELETE are idempotent: any transient failure.
    /// A <c>:send</c> (POST) that may have reached the service (a timeout, a 500, a 502/504 from a proxy)
    /// is not, or the room would get the message twice; only a refusal (429, 503) or a connection that
    /// never opened is retried.
    /// </summary>
    public static bool ShouldRetry(HttpMethod? method, HttpStatusCode? status, Exception? exception)
    {
        if (method != HttpMethod.Post)
            return exception is HttpRequestException or TimeoutRejectedException
                || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int?)status >= 500;
        return status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
            || exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
    }
}
