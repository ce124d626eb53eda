using Zawaroom.Rooms;

namespace Zawaroom.RoomSettings;

/// <summary>Size limits of uploads (configuration "Zawaroom:RoomSettings").</summary>
public sealed class RoomMediaOptions
{
    public long MaxBackgroundBytes { get; set; } = 10 * 1024 * 1024;
    public long MaxBgmBytes { get; set; } = 10 * 1024 * 1024;
    public long MaxZawaBytes { get; set; } = 64 * 1024 * 1024;
}

public static class RoomSettingsServices
{
    public static IServiceCollection AddRoomSettings(this IServiceCollection services)
    {
        services.AddOptions<RoomMediaOptions>().BindConfiguration("Zawaroom:RoomSettings");
        services.AddSingleton<RoomSettingsStore>();
        services.AddSingleton<IRoomLifecycle>(sp => sp.GetRequiredService<RoomSettingsStore>());
        services.AddSingleton<Live.IRoomLayout, SettingsRoomLayout>();
        return services;
    }
}
