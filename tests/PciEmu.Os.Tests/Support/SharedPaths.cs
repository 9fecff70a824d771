namespace PciEmu.Os.Tests.Support;

/// <summary>Finds ../shared by walking up from the test binary.</summary>
public static class SharedPaths
{
    public static string? Shared { get; } = Find();

    public static string? Conformance => Shared is null ? null : Path.Combine(Shared, "conformance");

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance");
            if (Directory.Exists(candidate)) return Path.Combine(dir.FullName, "shared");
        }
        return null;
    }
}
