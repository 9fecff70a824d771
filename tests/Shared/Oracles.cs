namespace PciEmu.Testing;

/// <summary>
/// External oracles a test compares against. When one is missing the test is reported as skipped (with the reason),
/// never as passed: <c>[SkippableFact]</c>/<c>[SkippableTheory]</c> plus one of these calls.
/// </summary>
public static class Oracles
{
    private static readonly string[] LspciPaths = ["/usr/bin/lspci", "/usr/sbin/lspci", "/bin/lspci"];

    /// <summary>The real lspci (Debian's pciutils), or skip.</summary>
    public static string RequireLspci()
    {
        var path = LspciPaths.FirstOrDefault(File.Exists)
            ?? Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, "lspci")).FirstOrDefault(File.Exists);
        Skip.If(path is null, "lspci (Debian's pciutils) is not installed; .ci/run installs it when run as root");
        return path!;
    }

    /// <summary>The ../shared/conformance folder, or skip.</summary>
    public static string RequireRecordings()
    {
        Skip.If(Recordings.Root is null, "../shared/conformance is not beside the repository");
        return Recordings.Root!;
    }

    /// <summary>One recorded case's folder, or skip when that recording is absent.</summary>
    public static string RequireCase(string name)
    {
        var dir = Path.Combine(RequireRecordings(), name);
        Skip.IfNot(Directory.Exists(dir), $"recording {name} is not in ../shared/conformance");
        return dir;
    }
}
