using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Zawaroom.Identity.Entra;

namespace Zawaroom.Tests.Identity;

public sealed class EntraProductionTests
{
    sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Zawaroom.Functions";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    static EntraOptions Options(string environment, bool allowHttp)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zawaroom:Identity:AllowHttpMetadata"] = allowHttp ? "true" : "false",
            ["Zawaroom:Identity:Aad:ClientId"] = "client",
        }).Build());
        services.AddSingleton<IHostEnvironment>(new Environment(environment));
        services.AddEntraTokens();
        return services.BuildServiceProvider().GetRequiredService<IOptions<EntraOptions>>().Value;
    }

    [Fact]
    public void Plain_http_metadata_is_refused_in_production()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Options("Production", allowHttp: true));
        Assert.Contains("AllowHttpMetadata", e.Message);
    }

    [Fact]
    public void Production_reads_its_authorities_over_https()
    {
        var options = Options("Production", allowHttp: false);
        Assert.Equal("https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration", options.Aad.MetadataAddress);
        Assert.Equal("client", options.Aad.ClientId);
    }
}
