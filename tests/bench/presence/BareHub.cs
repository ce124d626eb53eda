using Microsoft.AspNetCore.SignalR;

namespace Zawaroom.Bench.Presence;

/// <summary>The baseline: every move goes at once to everyone in the room, no zones, no batching.</summary>
public sealed class BareHub : Hub
{
    public sealed record MoveCommand(double X, double Y);
    public sealed record Moved(string Email, double X, double Y, string? MeetingRoomId);

    public Task Move(MoveCommand c) =>
        Clients.All.SendAsync("moved", new[] { new Moved((string)Context.Items["email"]!, c.X, c.Y, null) });

    public Task Viewport(object _) => Task.CompletedTask;

    public override Task OnConnectedAsync()
    {
        Context.Items["email"] = Context.GetHttpContext()!.Request.Query["email"].ToString();
        return Task.CompletedTask;
    }

    /// <summary>The same hosting as the app: its own process, JSON (camelCase) and MessagePack.</summary>
    public static void Run(int port)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSignalR()
            .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase)
            .AddMessagePackProtocol();
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapHub<BareHub>("/hub");
        app.Run();
    }
}
