using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Zawaroom.Common;

/// <summary>
/// How many body bytes an endpoint reads at most; without it an endpoint reads <see cref="BodyLimits.Default"/>.
/// Null: the handler caps its own read (an upload whose limit is configured), and the server's limit stays.
/// </summary>
public sealed record BodyLimit(long? Bytes);

/// <summary>
/// No endpoint reads an unbounded body: every request is capped before anything reads it (a JSON body
/// at <see cref="Default"/>, uploads at what their endpoint declares), and a declared Content-Length over
/// the cap is refused before a byte is read, so large anonymous posts cannot raise the app's memory.
/// </summary>
public static class BodyLimits
{
    public const long Default = 1024 * 1024;

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>
    /// The handler reads the body through its own cap (and answers 413 with its limit); the server's limit stays, so
    /// that a browser sending a file too large still reads that answer instead of a cut connection.
    /// </summary>
    public static TBuilder WithBodyCappedByHandler<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(null));

    /// <summary>After routing: the endpoint's limit is known.</summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>();
        if (metadata is { Bytes: null }) return next(context);
        var declared = metadata?.Bytes;
        var limit = declared ?? Default;
        // Only a declared limit refuses early: an upload endpoint may raise the default for itself (RoomSettings' options).
        if (declared is not null && context.Request.ContentLength > limit) throw TooLarge(limit);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        return next(context);
    });

    /// <summary>
    /// After routing, before any handler: an id in the path that cannot name anything (a path separator or ".." once
    /// decoded, a control character such as NUL, or absurd length) is a 404, so no store ever sees it as part of a key
    /// or a file name. The SPA's catch-all path is left to the static files.
    /// </summary>
    public static IApplicationBuilder UseRouteValueCheck(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint() is RouteEndpoint endpoint)
            foreach (var parameter in endpoint.RoutePattern.Parameters)
            {
                if (parameter.IsCatchAll) continue;
                if (context.Request.RouteValues.TryGetValue(parameter.Name, out var value) && value is string text && !IsPlainId(text))
                    throw Problems.NotFound($"There is no such {parameter.Name}.");
            }
        return next(context);
    });

    static bool IsPlainId(string text) =>
        text.Length is > 0 and <= 200 && !text.Contains("..", StringComparison.Ordinal)
        && !text.Any(c => c is '/' or '\\' || char.IsControl(c));

    /// <summary>The body as bytes, at most <paramref name="limit"/> of them (413 beyond), whatever the transport says.</summary>
    public static async Task<byte[]> Read(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) throw TooLarge(limit);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge(limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static ProblemException TooLarge(long limit) =>
        Problems.Of(413, "too-large", "Too large", $"The body is larger than this endpoint takes ({Size(limit)}).");

    static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / 1024 / 1024} MB" : $"{bytes / 1024} KB";
}
