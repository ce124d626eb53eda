using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Zawaroom.Tests.Media;

/// <summary>Janus's HTTP API called directly, as a client that bypasses the app would: a session, a VideoRoom handle, a join.</summary>
public sealed class JanusDirect(string url, string? sessionToken) : IAsyncDisposable
{
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    ulong _session;

    /// <summary>Creates the session; the error reason when Janus refuses it.</summary>
    public async Task<string?> Connect()
    {
        var answer = await Post(url, new JsonObject { ["janus"] = "create" });
        if (answer["janus"]!.GetValue<string>() == "error") return answer["error"]!["reason"]!.GetValue<string>();
        _session = answer["data"]!["id"]!.GetValue<ulong>();
        return null;
    }

    /// <summary>Joins a VideoRoom room; answers the plugin's event ("joined", or an error with its code).</summary>
    public async Task<JsonObject> Join(JsonObject body)
    {
        var attached = await Post($"{url}/{_session}", new JsonObject { ["janus"] = "attach", ["plugin"] = "janus.plugin.videoroom" });
        var handle = attached["data"]!["id"]!.GetValue<ulong>();
        body["request"] = "join";
        var transaction = Guid.NewGuid().ToString("N");
        var ack = await Post($"{url}/{_session}/{handle}", new JsonObject { ["janus"] = "message", ["body"] = body }, transaction);
        if (ack["janus"]!.GetValue<string>() == "error") return new JsonObject { ["error_code"] = ack["error"]!["code"]!.GetValue<int>() };
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            var events = await _http.GetFromJsonAsync<JsonNode>($"{url}/{_session}?maxev=10" + (sessionToken is null ? "" : $"&token={Uri.EscapeDataString(sessionToken)}"));
            foreach (var e in events is JsonArray list ? list : new JsonArray(events?.DeepClone()))
                if (e?["transaction"]?.GetValue<string>() == transaction && e["plugindata"]?["data"] is JsonObject data) return data;
        }
        throw new TimeoutException("Janus sent no answer to the join.");
    }

    /// <summary>Long-polls the session's events once (keeps it alive; Janus sends "keepalive" when there are none).</summary>
    public async Task<JsonNode?> Poll() =>
        await _http.GetFromJsonAsync<JsonNode>($"{url}/{_session}?maxev=10" + (sessionToken is null ? "" : $"&token={Uri.EscapeDataString(sessionToken)}"));

    async Task<JsonObject> Post(string to, JsonObject request, string? transaction = null)
    {
        request["transaction"] = transaction ?? Guid.NewGuid().ToString("N");
        if (sessionToken is not null) request["token"] = sessionToken;
        using var response = await _http.PostAsJsonAsync(to, request);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_session != 0) try { await Post($"{url}/{_session}", new JsonObject { ["janus"] = "destroy" }); } catch (HttpRequestException) { }
        _http.Dispose();
    }
}
