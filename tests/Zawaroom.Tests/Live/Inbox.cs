using System.Text.Json;
using System.Threading.Channels;

namespace Zawaroom.Tests.Live;

/// <summary>
/// What a live-room client was pushed, in order, whichever transport brought it (the in-process hub's
/// SignalR client, or a connection of the SignalR Service stand-in): read as a browser's handlers would.
/// </summary>
public sealed class Inbox(string owner)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    readonly Channel<(string Method, JsonElement Payload)> _messages = Channel.CreateUnbounded<(string, JsonElement)>();

    public void Write(string method, JsonElement payload) => _messages.Writer.TryWrite((method, payload));

    /// <summary>The next message of the given kind that matches; everything before it is passed over.</summary>
    public async Task<JsonElement> Next(string method, Func<JsonElement, bool>? match = null, List<(string Method, JsonElement Payload)>? passedOver = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var (m, payload) = await _messages.Reader.ReadAsync(timeout.Token);
                if (m == method && (match is null || match(payload))) return payload;
                passedOver?.Add((m, payload));
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{owner} did not receive '{method}' within {Patience.TotalSeconds} s.");
        }
    }

    /// <summary>The next message of the given kind if one comes within <paramref name="within"/>; others before it are passed over.</summary>
    public async Task<JsonElement?> TryNext(string method, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                var (m, payload) = await _messages.Reader.ReadAsync(timeout.Token);
                if (m == method) return payload;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Everything received and not yet read, up to now.</summary>
    public List<(string Method, JsonElement Payload)> Drain()
    {
        var list = new List<(string, JsonElement)>();
        while (_messages.Reader.TryRead(out var item)) list.Add(item);
        return list;
    }
}
