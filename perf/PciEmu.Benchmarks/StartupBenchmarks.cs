using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace PciEmu.Benchmarks;

/// <summary>
/// Cold start of the <c>pciemu</c> CLI to its first line of output (the demo's banner, printed before any work),
/// as a child process. <c>Jit</c> runs the Release build with <c>dotnet pciemu.dll</c>; <c>ReadyToRun</c> runs the
/// apphost published with <c>src/PciEmu.Cli/Properties/PublishProfiles/ReadyToRun.pubxml</c> (perf/run publishes it
/// to src/PciEmu.Cli/bin/r2r). The child is killed after its first line.
/// </summary>
[MedianColumn]
public class StartupBenchmarks
{
    public enum Build
    {
        Jit,
        ReadyToRun,
    }

    private const string Solution = "PciEmu.sln";
    private string _fileName = "";
    private string _arguments = "";

    [Params(Build.Jit, Build.ReadyToRun)]
    public Build Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var root = RepoRoot();
        if (Mode == Build.Jit)
        {
            _fileName = "dotnet";
            _arguments = Path.Combine(root, "src", "PciEmu.Cli", "bin", "Release", "net10.0", "pciemu.dll");
            Require(_arguments, "dotnet build -c Release src/PciEmu.Cli");
        }
        else
        {
            _fileName = Path.Combine(root, "src", "PciEmu.Cli", "bin", "r2r", "pciemu");
            Require(_fileName, "dotnet publish src/PciEmu.Cli -p:PublishProfile=ReadyToRun");
        }
    }

    [Benchmark]
    public int FirstOutputLine()
    {
        var psi = new ProcessStartInfo(_fileName, _arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {_fileName}");
        var line = p.StandardOutput.ReadLine();
        p.Kill();
        p.WaitForExit();
        return line?.Length ?? throw new InvalidOperationException("no output");
    }

    private static void Require(string path, string how)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; build it with `{how}` (perf/run does)", path);
    }

    /// <summary>The repository root (the directory holding PciEmu.sln) above the benchmark's build output.</summary>
    public static string RepoRoot()
    {
        if (Environment.GetEnvironmentVariable("PCIEMU_ROOT") is { Length: > 0 } env) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, Solution))) return d.FullName;
        }
        throw new DirectoryNotFoundException($"{Solution} not found above {AppContext.BaseDirectory}; set PCIEMU_ROOT");
    }
}
