using System.Runtime.CompilerServices;

namespace PciEmu.Testing;

/// <summary>
/// Golden-file assertions: compares text with tests/golden/&lt;scenario&gt;/&lt;name&gt;, normalising line endings.
/// On mismatch writes &lt;name&gt;.received next to it; with PCIEMU_ACCEPT=1 rewrites the golden file instead.
/// </summary>
public static class Golden
{
    public static string RepoRoot([CallerFilePath] string callerPath = "")
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PciEmu.sln"))) dir = dir.Parent;
        if (dir is not null) return dir.FullName;
        // Fall back to the source location of the caller (tests/Shared/..).
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(callerPath)!, "..", ".."));
    }

    public static string Path_(string scenario, string name) => Path.Combine(RepoRoot(), "tests", "golden", scenario, name);

    private static string Normalise(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n') + "\n";

    public static void Assert(string scenario, string name, string actual)
    {
        var path = Path_(scenario, name);
        var received = path + ".received";
        actual = Normalise(actual);
        var accept = Environment.GetEnvironmentVariable("PCIEMU_ACCEPT") == "1";
        if (accept)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(received, actual);
            throw new Xunit.Sdk.XunitException($"golden file {path} does not exist; wrote {received} (rerun with PCIEMU_ACCEPT=1 to accept)");
        }
        var expected = Normalise(File.ReadAllText(path));
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var i = 0;
        while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
        throw new Xunit.Sdk.XunitException(
            $"golden mismatch in {path} at line {i + 1}:\n  expected: {(i < e.Length ? e[i] : "<eof>")}\n  actual:   {(i < a.Length ? a[i] : "<eof>")}\nfull output written to {received}");
    }

    /// <summary>The ../shared/conformance folder beside the repository.</summary>
    public static string ConformanceRoot() => Recordings.RequiredRoot;
}
