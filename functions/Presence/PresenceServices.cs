using Zawaroom.Presence.Memory;

namespace Zawaroom.Presence;

public static class PresenceServices
{
    /// <summary>The embedded presence adapter; the live room writes it, room cards and P3 read it.</summary>
    public static IServiceCollection AddEmbeddedPresence(this IServiceCollection services)
    {
        services.AddOptions<PresenceOptions>().BindConfiguration("Zawaroom:Live");
        services.AddSingleton<InMemoryPresenceStore>();
        services.AddSingleton<IPresenceStore>(sp => sp.GetRequiredService<InMemoryPresenceStore>());
        services.AddSingleton<IPresenceReader>(sp => sp.GetRequiredService<InMemoryPresenceStore>());
        return services;
    }
}
