using Microsoft.Extensions.Options;

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
        // transient failures (5xx, 429, timeouts) are retried by the standard resilience pipeline.
        services.AddHttpClient<SignalRRestClient>()
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler();
        services.AddSingleton<AzureSignalRBroadcaster>();
        services.AddSingleton<AzureSignalRNegotiation>();
        services.AddSingleton<UpstreamHandler>();
        services.AddSingleton<PresenceViews>();
        return services;
    }
}
