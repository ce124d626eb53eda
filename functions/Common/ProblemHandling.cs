using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Zawaroom.Storage;

namespace Zawaroom.Common;

/// <summary>Every error leaves the app as problem+json with a stable <c>code</c> (API.md "Errors").</summary>
public static class ProblemHandling
{
    public const string ContentType = "application/problem+json";

    public static IServiceCollection AddZawaroomProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();
        // Minimal APIs throw BadHttpRequestException for malformed JSON and wrong types; we turn it
        // into a "validation" problem instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseZawaroomProblems(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A ProblemException is an answer, not a fault: no error log, no diagnostics event.
            SuppressDiagnosticsCallback = c => c.Exception is ProblemException or BadHttpRequestException,
            ExceptionHandler = HandleError,
        });
        // Status codes produced without a body (an unknown route, 405) still answer problem+json.
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var (code, title) = context.Response.StatusCode switch
            {
                404 => ("not-found", "Not found"),
                405 => ("method-not-allowed", "Method not allowed"),
                401 => ("unauthenticated", "Unauthenticated"),
                403 => ("forbidden", "Forbidden"),
                415 => ("validation", "Unsupported media type"),
                _ => ("error", "Error"),
            };
            await Write(context, new ProblemException(context.Response.StatusCode, code, title, title + "."));
        });
        return app;
    }

    static Task HandleError(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        return Write(context, Describe(error));
    }

    public static ProblemException Describe(Exception? error) => error switch
    {
        ProblemException p => p,
        BadHttpRequestException { StatusCode: 413 } b => new ProblemException(413, "too-large", "Too large", b.Message),
        BadHttpRequestException { StatusCode: 415 } b => new ProblemException(415, "validation", "Unsupported media type", b.Message),
        BadHttpRequestException b => Problems.Validation(Explain(b)),
        JsonException j => Problems.Validation("The body is not valid JSON: " + j.Message),
        ConcurrencyException => Problems.Conflict(),
        DocumentExistsException => Problems.Of(409, "conflict", "Conflict", "It exists already."),
        OperationCanceledException => Problems.Of(499, "cancelled", "Cancelled", "The request was cancelled."),
        _ => Problems.Of(500, "internal", "Internal error", "Something went wrong on our side."),
    };

    static string Explain(BadHttpRequestException b) =>
        b.InnerException is JsonException j ? $"{b.Message} {j.Message}" : b.Message;

    public static Task Write(HttpContext context, ProblemException problem)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.Clear();
        context.Response.StatusCode = problem.Status == 499 ? 400 : problem.Status;
        context.Response.ContentType = ContentType;
        var body = new Dictionary<string, object?>
        {
            ["type"] = "https://zawaroom.com/problems/" + problem.Code,
            ["title"] = problem.Title,
            ["status"] = context.Response.StatusCode,
            ["detail"] = problem.Message,
            ["code"] = problem.Code,
        };
        if (problem.Extensions is not null)
            foreach (var (key, value) in problem.Extensions) body[key] = value;
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json.Options), context.RequestAborted);
    }
}
