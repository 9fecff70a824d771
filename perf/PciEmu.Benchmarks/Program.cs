using BenchmarkDotNet.Running;

namespace PciEmu.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet's switcher (e.g. <c>--filter '*' --job short</c>), or <c>scale-check [functions…]</c>: a
    /// stopwatch walk over the generated topologies that also checks SeaBIOS did not panic and reports bus numbers,
    /// or <c>access-check</c>: a stopwatch loop over the access paths.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == ScaleCheck.Command) return ScaleCheck.Run(args.Skip(1).ToArray(), Console.Out);
        if (args.Length > 0 && args[0] == AccessCheck.Command) return AccessCheck.Run(Console.Out);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        // Non-zero when a benchmark failed to build, validate or run, so a `--job dry` smoke can gate CI.
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
