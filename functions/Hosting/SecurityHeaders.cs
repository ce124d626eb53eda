using System.Collections.Concurrent;
using System.Net;
using Zawaroom.Sites;

namespace Zawaroom.Hosting;

/// <summary>
/// Headers every response carries (issue 15). The browser app gets a Content-Security-Policy that fits it:
/// its own scripts and styles only, connections to itself and the configured SignalR, media and identity
/// endpoints. Anything else the app answers (API JSON, uploaded images and audio, CSV) gets a policy that
/// allows nothing and sandboxes it, so an uploaded file can never run as a page of the site.
/// A site's own media server (its operator-set <c>defaultMediaServerUrl</c>, S3) is allowed on that site's
/// pages only.
/// </summary>
public static class SecurityHeaders
{
    const string Nothing = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

    public static IApplicationBuilder UseSecurityHeaders(this WebApplication app)
    {
        var pagePolicy = PagePolicy(app.Configuration);
        var sitePolicies = new SitePagePolicies(app.Configuration);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                var html = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
                // The site is resolved after this middleware, but before the response starts.
                headers.ContentSecurityPolicy = !html ? Nothing : context.Site() is { } site ? sitePolicies.For(site.Site) : pagePolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "microphone=(self), camera=(self), display-capture=(self), geolocation=(), payment=(), usb=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers.XFrameOptions = "DENY";
                // Browsers ignore HSTS over plain HTTP; on loopback it would only pin a developer's localhost.
                if (!IsLoopback(context.Request.Host.Host)) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    /// <summary>The SPA's policy. PixiJS runs without eval (static-web imports pixi.js/unsafe-eval's polyfill).</summary>
    public static string PagePolicy(IConfiguration configuration, string? siteMediaServerUrl = null)
    {
        var connect = new List<string> { "'self'", "blob:", "data:" };
        // Azure SignalR Service: the browser connects to its client URL (https for negotiate, wss for the socket).
        if (ConnectionStringEndpoint(configuration["Zawaroom:SignalR:ConnectionString"]) is { } signalR) connect.AddRange(Origins(signalR));
        // Janus: the URL browsers are handed (its WebSocket API, often another port or host than the app's
        // own JanusUrl), and JanusUrl, the default of that. TURN servers are ICE, which CSP does not govern.
        foreach (var janus in new[] { configuration["Zawaroom:Media:JanusPublicUrl"], configuration["Zawaroom:Media:JanusUrl"] })
            if (janus is { Length: > 0 }) connect.AddRange(Origins(janus));
        // The site's own media server, which replaces the public Janus URL for that site's browsers.
        if (siteMediaServerUrl is { Length: > 0 }) connect.AddRange(Origins(siteMediaServerUrl));
        // Entra ID / B2C: the login page exchanges the authorization code at their token endpoint.
        connect.AddRange(Origins(configuration["Zawaroom:Identity:Aad:Instance"] is { Length: > 0 } aad ? aad : "https://login.microsoftonline.com/"));
        if (configuration["Zawaroom:Identity:AadB2c:Instance"] is { Length: > 0 } b2c) connect.AddRange(Origins(b2c));
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob: data:",
            "media-src 'self' blob:",
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "connect-src " + string.Join(' ', connect.Distinct(StringComparer.OrdinalIgnoreCase)),
            "frame-ancestors 'none'",
            "frame-src 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'");
    }

    /// <summary>
    /// The page policy of each site, made once per site and made again when its media server URL changed
    /// (the site is read from the store on every request, so an operator's change shows on the next page).
    /// </summary>
    sealed class SitePagePolicies(IConfiguration configuration)
    {
        readonly ConcurrentDictionary<string, (string? MediaUrl, string Policy)> _bySite = new();

        public string For(Site site)
        {
            var url = site.DefaultMediaServerUrl;
            if (_bySite.TryGetValue(site.Id, out var known) && known.MediaUrl == url) return known.Policy;
            var policy = PagePolicy(configuration, url);
            _bySite[site.Id] = (url, policy);
            return policy;
        }
    }

    static string? ConnectionStringEndpoint(string? connectionString) =>
        connectionString?.Split(';').Select(p => p.Trim())
            .FirstOrDefault(p => p.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase))?["Endpoint=".Length..];

    /// <summary>The URL's origin and its WebSocket or HTTP twin (a SignalR or Janus client may use either).</summary>
    static IEnumerable<string> Origins(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Host.Length == 0) yield break;
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        var (secure, plain) = uri.Scheme switch { "https" or "wss" => ("https", "wss"), "http" or "ws" => ("http", "ws"), _ => ("", "") };
        if (secure.Length == 0) yield break;
        yield return $"{secure}://{uri.Host}{port}";
        yield return $"{plain}://{uri.Host}{port}";
    }

    static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
