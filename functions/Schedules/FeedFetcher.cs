using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Zawaroom.Common;

namespace Zawaroom.Schedules;

public sealed class FeedOptions
{
    public const string Section = "Zawaroom:Schedules";

    /// <summary>Lets a feed URL reach loopback/private/link-local hosts. Off: only for tests and closed networks.</summary>
    public bool AllowPrivateFeedHosts { get; set; }
    public int MaxRedirects { get; set; } = 3;
    public long MaxFeedBytes { get; set; } = 10 * 1024 * 1024;
    public TimeSpan FeedTimeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>A feed URL that points somewhere the server must not fetch from (SSRF).</summary>
public sealed class FeedAddressRefusedException(string message) : Exception(message);

/// <summary>Which addresses a subscribed feed may be fetched from: public unicast only.</summary>
public static class FeedAddresses
{
    /// <summary>
    /// False for loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10), multicast, unspecified,
    /// carrier-grade NAT (100.64/10), benchmarking, documentation and reserved ranges, and IPv4 inside IPv6 of those.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224                       // this network, private, loopback, multicast + reserved
                || b[0] == 100 && (b[1] & 0xC0) == 64                                            // 100.64/10 carrier-grade NAT
                || b[0] == 169 && b[1] == 254                                                    // link-local (cloud metadata)
                || b[0] == 172 && (b[1] & 0xF0) == 16                                            // 172.16/12
                || b[0] == 192 && b[1] == 168                                                    // 192.168/16
                || b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)                          // 192.0.0/24 IETF, 192.0.2/24 docs
                || b[0] == 198 && (b[1] & 0xFE) == 18                                            // 198.18/15 benchmarking
                || b[0] == 198 && b[1] == 51 && b[2] == 100 || b[0] == 203 && b[1] == 0 && b[2] == 113); // docs
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal
            || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal) return false;
        var v6 = address.GetAddressBytes();
        // 64:ff9b::/96 (NAT64) and ::/96 (IPv4-compatible) carry an IPv4 address: judge that one.
        if (v6.Take(12).All(x => x == 0) || v6[0] == 0 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6.Skip(4).Take(8).All(x => x == 0))
            return IsPublic(new IPAddress(v6[12..]));
        if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8) return false; // 2001:db8::/32 documentation
        return (v6[0] & 0xE0) == 0x20; // 2000::/3, the global unicast space
    }
}

/// <summary>
/// Fetches a subscribed iCalendar feed (Z3) without letting the URL reach inside the network: http(s) only, every
/// connection (the first and each redirect's) goes to an address resolved and checked here, no proxy, at most
/// <see cref="FeedOptions.MaxRedirects"/> redirects, <see cref="FeedOptions.MaxFeedBytes"/> and <see cref="FeedOptions.FeedTimeout"/>.
/// </summary>
public sealed class FeedFetcher(IHttpClientFactory clients, IOptions<FeedOptions> options)
{
    public const string HttpClientName = "schedule-feeds";

    /// <summary>The handler: connects only to checked addresses (so a DNS answer cannot change between check and use), follows no redirects itself.</summary>
    public static SocketsHttpHandler Handler(FeedOptions options, Func<IPAddress, bool>? allowed = null) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            var permitted = addresses.Where(a => allowed?.Invoke(a) ?? (options.AllowPrivateFeedHosts || FeedAddresses.IsPublic(a))).ToList();
            if (permitted.Count == 0)
                throw new FeedAddressRefusedException($"The feed's host {host} is not a public address.");
            Exception? last = null;
            foreach (var address in permitted)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    last = e;
                }
            }
            throw last!;
        },
    };

    public async Task<string> Fetch(string? url, CancellationToken ct)
    {
        var settings = options.Value;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsHttp(uri))
            throw Problems.Validation("feedUrl is an http(s) URL of an iCalendar feed.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.FeedTimeout);
        var client = clients.CreateClient(HttpClientName);
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.Accept.ParseAdd("text/calendar");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308)
                {
                    if (hop >= settings.MaxRedirects)
                        throw Problems.Of(502, "feed-unavailable", "Feed unavailable", $"The feed redirected more than {settings.MaxRedirects} times.");
                    var next = response.Headers.Location is { } location ? new Uri(uri, location) : null;
                    if (next is null || !IsHttp(next))
                        throw Problems.Of(400, "feed-refused", "Feed refused", "The feed redirected to something that is not an http(s) URL.");
                    uri = next;
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    throw Problems.Of(502, "feed-unavailable", "Feed unavailable", $"The feed answered {(int)response.StatusCode}.");
                if (response.Content.Headers.ContentLength > settings.MaxFeedBytes) throw TooLarge(settings);
                return await ReadLimited(await response.Content.ReadAsStreamAsync(timeout.Token), settings, timeout.Token);
            }
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refused)
        {
            throw Problems.Of(400, "feed-refused", "Feed refused", refused.Message + " Feeds are fetched from public internet addresses only.");
        }
        catch (HttpRequestException e)
        {
            throw Problems.Of(502, "feed-unavailable", "Feed unavailable", $"The feed could not be read: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Problems.Of(504, "feed-timeout", "Feed too slow", $"The feed did not answer within {settings.FeedTimeout.TotalSeconds:0} seconds.");
        }
    }

    static bool IsHttp(Uri uri) => uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo);

    static FeedAddressRefusedException? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is FeedAddressRefusedException refused) return refused;
        return null;
    }

    static ProblemException TooLarge(FeedOptions settings) =>
        Problems.Of(413, "too-large", "Too large", $"A feed is at most {settings.MaxFeedBytes / (1024 * 1024)} MB.");

    static async Task<string> ReadLimited(Stream body, FeedOptions settings, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > settings.MaxFeedBytes) throw TooLarge(settings);
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
