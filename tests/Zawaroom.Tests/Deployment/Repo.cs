namespace Zawaroom.Tests.Deployment;

static class Repo
{
    /// <summary>The repository root (the folder of Zawaroom.Functions.sln), found above the test binaries.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Zawaroom.Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("Zawaroom.Functions.sln not found above " + AppContext.BaseDirectory);
    }

    public static string File_(params string[] parts) => Path.Combine([Root(), .. parts]);
}
