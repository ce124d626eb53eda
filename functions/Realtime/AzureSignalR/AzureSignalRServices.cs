using Microsoft.Extensions.Options;
using Zawaroom.Realtime.InProcess;

using Zawaroom.Live;

namespace Zawaroom.Realtime.AzureSignalR;

/// <summary>Whether the live room runs on Azure SignalR Service: stores "Azure" and a SignalR connection string.</summary>
public sealed record AzureSignalRSelection(bool Enabled);

public static class AzureSignalRServices
{
    public const string HttpClientName = "azure-signalr";

    /// <summary>
    /// The realtime port and negotiation on Azure SignalR Service (serverless), chosen when
    /// <c>Zawaroom:Stores</c> is Azure and <c>Zawaroom:SignalR:ConnectionString</c> is set; else the
    /// in-process hub. Read when first resolved, like the other adapters.
    /// </summary>
    public static IServiceCollection AddAzureSignalR(this IServiceCollection services)
    {
        services.AddOptions<AzureSignalROptions>().BindConfiguration(AzureSignalROptions.Section);
        services.AddSingleton(sp => new AzureSignalRSelection(
            sp.GetRequiredService<IConfiguration>()["Zawaroom:Stores"] == "Azure"
            && !string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<AzureSignalROptions>>().Value.ConnectionString)));
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
        // Many instances: which zone rectangles a room's connections watch comes from presence, not from this instance's memory.
        services.AddSingleton<ISharedViews>(sp => sp.GetRequiredService<AzureSignalRSelection>().Enabled
            ? new PresenceViews(sp.GetRequiredService<Presence.IPresenceStore>(), sp.GetRequiredService<TimeProvider>())
            : NoSharedViews.Instance);

        services.AddSingleton<IRoomBroadcaster>(sp => sp.GetRequiredService<AzureSignalRSelection>().Enabled
            ? sp.GetRequiredService<AzureSignalRBroadcaster>()
            : sp.GetService<HubBroadcaster>() ?? ActivatorUtilities.CreateInstance<HubBroadcaster>(sp));
        services.AddSingleton<ILiveNegotiation>(sp => sp.GetRequiredService<AzureSignalRSelection>().Enabled
            ? sp.GetRequiredService<AzureSignalRNegotiation>()
            : ActivatorUtilities.CreateInstance<InProcessNegotiation>(sp));
        return services;
    }
}
