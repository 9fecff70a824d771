using System.Text.Json;

namespace PciEmu.Testing;

/// <summary>
/// The one finder of ../shared/conformance (or $PCIEMU_CONFORMANCE) and of the recorded cases in it. Case names are
/// paths relative to the conformance root: "b-fw-q35-rootport" at the top level, "random/fw-000" in the random set,
/// so a newly recorded folder is tested without editing code.
/// </summary>
public static class Recordings
{
    /// <summary>Subfolders of the conformance root that hold further case folders (not cases themselves).</summary>
    private static readonly string[] Sets = ["random"];

    private static readonly Lazy<string?> RootLazy = new(Find);

    /// <summary>The conformance folder, or null when ../shared is not beside the repository.</summary>
    public static string? Root => RootLazy.Value;

    /// <summary>The conformance folder; throws (a failing test, not a silent pass) when it is missing.</summary>
    public static string RequiredRoot => Root ?? throw new DirectoryNotFoundException(
        "../shared/conformance not found above " + AppContext.BaseDirectory + " (set PCIEMU_CONFORMANCE)");

    /// <summary>
    /// The folder of one case by its relative name: "recordings/SET/CASE" is a recording the project made itself
    /// (tests/recordings/SET/CASE, see tools/recorder), anything else a case of the shared conformance root.
    /// </summary>
    public static string Dir(string name) =>
        name.StartsWith(ProjectPrefix, StringComparison.Ordinal)
            ? Path.Combine(RequiredProjectRoot, name[ProjectPrefix.Length..])
            : Path.Combine(RequiredRoot, name);

    private const string ProjectPrefix = "recordings/";

    private static readonly Lazy<string?> ProjectRootLazy = new(FindProjectRecordings);

    /// <summary>The project's own recordings folder (tests/recordings), or null when the tests run outside the repository.</summary>
    public static string? ProjectRoot => ProjectRootLazy.Value;

    private static string RequiredProjectRoot => ProjectRoot ?? throw new DirectoryNotFoundException(
        "tests/recordings not found above " + AppContext.BaseDirectory);

    private static string? FindProjectRecordings()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "PciEmu.sln"))) continue;
            var candidate = Path.Combine(dir.FullName, "tests", "recordings");
            return Directory.Exists(candidate) ? candidate : null;
        }
        return null;
    }

    /// <summary>
    /// Every case folder of the project's own recording set <paramref name="set"/> (tests/recordings/SET) holding
    /// <paramref name="requiredFile"/>, named "recordings/SET/CASE", in ordinal order. These are kept apart from
    /// <see cref="Cases"/> so that a set recorded with another firmware or machine never reaches tests written for
    /// the shared conformance cases.
    /// </summary>
    public static IReadOnlyList<string> ProjectCases(string set, string requiredFile)
    {
        if (ProjectRoot is not { } root) return [];
        var setDir = Path.Combine(root, set);
        if (!Directory.Exists(setDir)) return [];
        return Directory.GetDirectories(setDir).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, requiredFile)))
            .Select(d => ProjectPrefix + set + "/" + Path.GetFileName(d))
            .ToArray();
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("PCIEMU_CONFORMANCE");
        if (env is not null && Directory.Exists(env)) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance");
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    /// <summary>Every case folder holding <paramref name="requiredFile"/>, in ordinal order; the random set when asked.</summary>
    public static IReadOnlyList<string> Cases(string requiredFile, bool includeSets = true)
    {
        if (Root is not { } root) return [];
        var names = new List<string>();
        foreach (var d in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(d);
            if (Sets.Contains(name))
            {
                if (!includeSets) continue;
                foreach (var inner in Directory.GetDirectories(d).Order(StringComparer.Ordinal))
                {
                    if (File.Exists(Path.Combine(inner, requiredFile))) names.Add(name + "/" + Path.GetFileName(inner));
                }
            }
            else if (File.Exists(Path.Combine(d, requiredFile)))
            {
                names.Add(name);
            }
        }
        return names;
    }

    /// <summary>Recorded x86_64 Linux cases (linux.json with arch x86_64).</summary>
    public static IReadOnlyList<string> X86LinuxCases(bool includeSets = true) =>
        Cases("linux.json", includeSets).Where(n => Arch(n) == "x86_64").ToArray();

    /// <summary>The "arch" field of a case's linux.json.</summary>
    public static string? Arch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir(name), "linux.json")));
        return doc.RootElement.TryGetProperty("arch", out var a) ? a.GetString() : null;
    }

    /// <summary>TheoryData over names.</summary>
    public static TheoryData<string> AsTheoryData(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var n in names) data.Add(n);
        return data;
    }
}
