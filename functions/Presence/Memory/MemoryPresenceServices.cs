namespace Zawaroom.Presence.Memory;

public static class MemoryPresenceServices
{
    /// <summary>The embedded presence adapter (one process's memory); the composition root binds the presence ports to it.</summary>
    public static IServiceCollection AddMemoryPresence(this IServiceCollection services) =>
        services.AddSingleton<InMemoryPresenceStore>();
}
