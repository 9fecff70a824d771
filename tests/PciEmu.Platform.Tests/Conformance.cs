namespace PciEmu.Platform.Tests;

/// <summary>Finds ../shared/conformance (or $PCIEMU_CONFORMANCE) from the test binary.</summary>
internal static class Conformance
{
    public static string? Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("PCIEMU_CONFORMANCE");
            if (env is not null && Directory.Exists(env)) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "conformance");
                if (Directory.Exists(candidate)) return candidate;
            }
            return null;
        }
    }

    public static IEnumerable<string> Cases(string requiredFile)
    {
        if (Root is not { } root) yield break;
        foreach (var d in Directory.GetDirectories(root).OrderBy(x => x, StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(d, requiredFile))) yield return Path.GetFileName(d);
        }
    }
}
