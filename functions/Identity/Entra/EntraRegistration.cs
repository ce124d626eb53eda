using Microsoft.Extensions.Options;

namespace Zawaroom.Identity.Entra;

public static class EntraRegistration
{
    public const string HttpClientName = "entra-metadata";

    /// <summary>
    /// The <see cref="IExternalTokenValidator"/> of <c>aad</c> and <c>aad-b2c</c> from
    /// <c>Zawaroom:Identity</c>. A provider without a client id refuses every token.
    /// </summary>
    public static IServiceCollection AddEntraTokens(this IServiceCollection services)
    {
        services.AddOptions<EntraOptions>()
            .BindConfiguration(EntraOptions.Section)
            .Validate<IHostEnvironment>((o, environment) => !(o.AllowHttpMetadata && environment.IsProduction()),
                "Zawaroom:Identity:AllowHttpMetadata is on in Production. It exists for the tests' local OIDC stand-in only; turn it off.")
            .ValidateOnStart();
        services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<IExternalTokenValidator>(sp => new EntraTokenValidator(
            sp.GetRequiredService<IOptions<EntraOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<EntraTokenValidator>>()));
        return services;
    }
}
