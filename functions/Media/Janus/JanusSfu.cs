using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Zawaroom.Media.Janus;

/// <summary>
/// <see cref="ISfu"/> over Janus's HTTP API and its VideoRoom plugin. Janus runs with
/// <c>token_auth_secret</c> (signed tokens): every request needs a token signed with that secret,
/// and each room is created with <c>signed_tokens</c>, so joining it (as publisher or subscriber)
/// also needs a token naming exactly that room. Rooms are private, created with the plugin's
/// <c>admin_key</c>; their secret (to destroy, kick) and pin (to join) are derived from the admin
/// key, so the app needs no storage and a restart keeps managing the rooms it made.
/// </summary>
public sealed class JanusSfu(HttpClient http, IOptions<MediaOptions> options) : ISfu
{
    const string Plugin = "janus.plugin.videoroom";
    MediaOptions O => options.Value;
    string Url => O.JanusUrl!.TrimEnd('/');

    public async Task Open(ulong room, CancellationToken ct)
    {
        var data = await Message(new JsonObject
        {
            ["request"] = "create", ["room"] = room, ["admin_key"] = O.JanusAdminKey, ["secret"] = Secret(room), ["pin"] = Pin(room),
            ["is_private"] = true, ["signed_tokens"] = true, ["publishers"] = 64, ["audiocodec"] = "opus", ["videocodec"] = "vp8",
            ["bitrate"] = 256_000, ["notify_joining"] = false,
        }, ct);
        // 427: the room exists already (another request or instance made it).
        if (data["error_code"]?.GetValue<int>() is { } code && code != 427) throw new JanusException(code, data["error"]?.GetValue<string>());
    }

    public async Task Close(ulong room, CancellationToken ct)
    {
        var data = await Message(new JsonObject { ["request"] = "destroy", ["room"] = room, ["secret"] = Secret(room) }, ct);
        if (data["error_code"]?.GetValue<int>() is { } code && code != 426) throw new JanusException(code, data["error"]?.GetValue<string>());
    }

    public async Task<IReadOnlyList<ulong>> Participants(ulong room, CancellationToken ct)
    {
        var data = await Message(new JsonObject { ["request"] = "listparticipants", ["room"] = room, ["secret"] = Secret(room) }, ct);
        if (data["error_code"]?.GetValue<int>() is 426) return [];
        if (data["error_code"]?.GetValue<int>() is { } code) throw new JanusException(code, data["error"]?.GetValue<string>());
        return data["participants"]?.AsArray().Select(p => p!["id"]!.GetValue<ulong>()).ToList() ?? [];
    }

    public async Task Kick(ulong room, ulong participant, CancellationToken ct)
    {
        var data = await Message(new JsonObject { ["request"] = "kick", ["room"] = room, ["id"] = participant, ["secret"] = Secret(room) }, ct);
        // 426 no such room, 428 no such participant: gone already.
        if (data["error_code"]?.GetValue<int>() is { } code && code is not (426 or 428)) throw new JanusException(code, data["error"]?.GetValue<string>());
    }

    public SfuPass Pass(ulong room, ulong participant, DateTimeOffset expires) =>
        new(O.JanusPublicUrl ?? O.JanusUrl!, room, participant, Pin(room),
            SignedToken(O.JanusTokenSecret!, expires, "janus", Plugin),
            SignedToken(O.JanusTokenSecret!, expires, Plugin, $"room={room}"),
            expires);

    /// <summary>Janus's signed token: <c>{expiry},{realm},{descriptors…}:{base64 HMAC-SHA1 of the part before the colon}</c>.</summary>
    public static string SignedToken(string secret, DateTimeOffset expires, string realm, params string[] descriptors)
    {
        var data = string.Join(',', [expires.ToUnixTimeSeconds().ToString(), realm, .. descriptors]);
        return $"{data}:{Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(data)))}";
    }

    string Secret(ulong room) => Derive("secret", room);
    string Pin(ulong room) => Derive("pin", room);
    string Derive(string purpose, ulong room) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(O.JanusAdminKey!), Encoding.UTF8.GetBytes($"{purpose}:{room}")))[..32].ToLowerInvariant();

    /// <summary>One plugin request in a short-lived session of the app's own (create, attach, message, destroy).</summary>
    async Task<JsonObject> Message(JsonObject body, CancellationToken ct)
    {
        var token = SignedToken(O.JanusTokenSecret!, DateTimeOffset.UtcNow.AddMinutes(5), "janus", Plugin);
        var session = (await Post(Url, new JsonObject { ["janus"] = "create" }, token, ct))["data"]!["id"]!.GetValue<ulong>();
        try
        {
            var handle = (await Post($"{Url}/{session}", new JsonObject { ["janus"] = "attach", ["plugin"] = Plugin }, token, ct))["data"]!["id"]!.GetValue<ulong>();
            var answer = await Post($"{Url}/{session}/{handle}", new JsonObject { ["janus"] = "message", ["body"] = body }, token, ct);
            return answer["plugindata"]?["data"]?.AsObject() ?? throw new JanusException(0, "Janus answered without plugin data.");
        }
        finally
        {
            try { await Post($"{Url}/{session}", new JsonObject { ["janus"] = "destroy" }, token, CancellationToken.None); }
            catch (Exception e) when (e is HttpRequestException or JanusException) { /* the session times out on its own */ }
        }
    }

    async Task<JsonObject> Post(string url, JsonObject request, string token, CancellationToken ct)
    {
        request["transaction"] = Guid.NewGuid().ToString("N");
        request["token"] = token;
        using var response = await http.PostAsJsonAsync(url, request, ct);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(ct) ?? throw new JanusException(0, "Janus sent an empty answer.");
        if (answer["janus"]?.GetValue<string>() == "error")
            throw new JanusException(answer["error"]?["code"]?.GetValue<int>() ?? 0, answer["error"]?["reason"]?.GetValue<string>());
        return answer;
    }
}

public sealed class JanusException(int code, string? reason) : SfuException($"Janus error {code}: {reason}")
{
    public int Code { get; } = code;
}
