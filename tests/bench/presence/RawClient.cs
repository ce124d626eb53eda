using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Zawaroom.Bench.Presence;

/// <summary>
/// A lean client of the room hub: one WebSocket speaking the SignalR JSON hub protocol itself
/// (handshake, invocations, pings; records end in 0x1E), as a browser tab does with its own CPU.
/// The .NET SignalR client costs a thousand simulated members more CPU than the server on the same
/// two cores (binding, per-invocation tasks, a DTO per move), so the load generator, not the server,
/// set the p99. Every received record is still parsed in full (<see cref="Utf8JsonReader"/> reads
/// every token) before the handler takes the send time out of each move's x: the measured
/// move-to-screen latency keeps its meaning (send → server → batch → network → parse → handler).
/// Like a browser's SignalR client it pings from the handshake on (every 10 s; the hub drops a
/// connection it has not heard from within its client timeout, 30 s), so a member that connected
/// early and waits for the others does not time out before the window.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    const byte RecordSeparator = 0x1E;
    static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    readonly ClientWebSocket _ws = new();
    readonly SemaphoreSlim _sending = new(1, 1);
    readonly Action<ReadOnlySpan<byte>> _record;
    readonly Action<int> _bytes;
    readonly CancellationTokenSource _closing = new();
    Task _receiving = Task.CompletedTask;
    Task _pinging = Task.CompletedTask;
    int _invocations;
    TaskCompletionSource? _handshake;
    readonly Dictionary<string, TaskCompletionSource> _pending = [];

    RawClient(Action<ReadOnlySpan<byte>> record, Action<int> bytes)
    {
        _record = record;
        _bytes = bytes;
    }

    /// <summary>Connects (WebSocket, bearer token) and completes the JSON hub protocol handshake.</summary>
    public static async Task<RawClient> Connect(string url, string token, Action<ReadOnlySpan<byte>> record, Action<int> bytes, CancellationToken ct)
    {
        var client = new RawClient(record, bytes);
        try
        {
            if (token.Length > 0) client._ws.Options.SetRequestHeader("Authorization", $"Bearer {token}");
            var uri = new UriBuilder(url) { Scheme = url.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws" }.Uri;
            await client._ws.ConnectAsync(uri, ct);
            client._handshake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client._receiving = client.Receive();
            await client.SendRaw(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), ct);
            await client._handshake.Task.WaitAsync(ct);
            client._pinging = client.KeepAlive();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>A hub call without waiting for its completion (SignalR's SendAsync): the browser's moves.</summary>
    public Task Send(string target, ReadOnlySpan<char> argumentJson, CancellationToken ct) =>
        SendRaw(Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"{target}\",\"arguments\":[{argumentJson}]}}\u001e"), ct);

    /// <summary>A hub call that waits for the server's completion (SignalR's InvokeAsync).</summary>
    public async Task Invoke(string target, string argumentJson, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _invocations).ToString(CultureInfo.InvariantCulture);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending) _pending[id] = done;
        await SendRaw(Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"{target}\",\"arguments\":[{argumentJson}]}}\u001e"), ct);
        await done.Task.WaitAsync(ct);
    }

    /// <summary>True once the connection ended without our own close (the server dropped it).</summary>
    public bool Dropped => _receiving.IsCompleted && !_closing.IsCancellationRequested;

    /// <summary>A keep-alive every 10 s, as SignalR clients send (the JavaScript client every 15 s when idle).</summary>
    async Task KeepAlive()
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            while (await timer.WaitForNextTickAsync(_closing.Token))
                await SendRaw(Ping, _closing.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
    }

    async Task SendRaw(byte[] bytes, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try { await _ws.SendAsync(bytes, WebSocketMessageType.Text, true, ct); }
        finally { _sending.Release(); }
    }

    async Task Receive()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var r = await _ws.ReceiveAsync(buffer.AsMemory(filled), _closing.Token);
                if (r.MessageType == WebSocketMessageType.Close) return;
                _bytes(r.Count);
                filled += r.Count;
                // Records end in 0x1E; a frame may hold several, or a record may span frames.
                var start = 0;
                int end;
                while ((end = Array.IndexOf(buffer, RecordSeparator, start, filled - start)) >= 0)
                {
                    OnRecord(buffer.AsSpan(start, end - start));
                    start = end + 1;
                }
                if (start > 0)
                {
                    buffer.AsSpan(start, filled - start).CopyTo(buffer);
                    filled -= start;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _handshake?.TrySetException(new WebSocketException("The connection closed before the handshake."));
            lock (_pending)
                foreach (var p in _pending.Values) p.TrySetException(new WebSocketException("The connection closed."));
        }
    }

    void OnRecord(ReadOnlySpan<byte> record)
    {
        if (_handshake is { Task.IsCompleted: false } handshake)
        {
            // The handshake answer: {} or {"error":"..."}.
            if (record.IndexOf("\"error\""u8) >= 0) handshake.TrySetException(new InvalidOperationException(Encoding.UTF8.GetString(record)));
            else handshake.TrySetResult();
            return;
        }
        // Completions of our own invocations (type 3) are few and only during set-up; everything else goes to the handler.
        if (record.IndexOf("\"type\":3"u8) >= 0 && Completion(record) is { } id)
        {
            TaskCompletionSource? done;
            lock (_pending) _pending.Remove(id, out done);
            if (record.IndexOf("\"error\""u8) >= 0) done?.TrySetException(new InvalidOperationException(Encoding.UTF8.GetString(record)));
            else done?.TrySetResult();
            return;
        }
        _record(record);
    }

    static string? Completion(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("invocationId"u8))
            {
                reader.Read();
                return reader.GetString();
            }
        return null;
    }

    /// <summary>
    /// Reads one hub record in full (every token); when it is an invocation of <paramref name="target"/>,
    /// puts the x of every move in its first argument (an array of moves) into <paramref name="xs"/> and returns true.
    /// </summary>
    public static bool ReadInvocation(ReadOnlySpan<byte> record, ReadOnlySpan<byte> target, List<double> xs)
    {
        xs.Clear();
        var reader = new Utf8JsonReader(record);
        var isTarget = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            // {"type":1,"target":"moved","arguments":[[{"email":…,"x":…,"y":…,"meetingRoomId":…},…]]}
            if (reader.CurrentDepth == 1 && reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                isTarget = reader.ValueTextEquals(target);
            }
            else if (reader.CurrentDepth == 4 && reader.ValueTextEquals("x"u8))
            {
                reader.Read();
                xs.Add(reader.GetDouble());
            }
        }
        return isTarget;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ws.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        _closing.Cancel();
        try { await _receiving; } catch (Exception) { }
        try { await _pinging; } catch (Exception) { }
        _ws.Dispose();
        _closing.Dispose();
    }
}
