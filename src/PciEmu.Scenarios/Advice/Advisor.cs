using System.Globalization;
using PciEmu.Core;
using PciEmu.Os;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Advice;

/// <summary>
/// Finds the smallest change that makes every planned <c>--device-add</c> succeed under the given firmware and kernel,
/// by running PciEmu itself: the reservation properties of the ports and bridges on the path to each slot (where the
/// device has them), the kernel's <c>pci=hp*size=</c> / <c>hpbussize=</c> / <c>realloc</c>, and Xen's <c>mmio_hole</c>.
/// "Smallest" is: least address space reserved (the growth of the kernel's bridge windows at boot, or of the MMIO
/// hole), then fewest bus numbers, then fewest changes. Each size is searched by doubling from the shortfall and then
/// bisecting down to the window granularity; the combined advice is rerun before it is returned.
/// </summary>
public sealed partial class Advisor
{
    private const ulong MiB = 1UL << 20;
    private const int MaxRounds = 4;

    private readonly OptionList _original;
    private int _runs;

    public Advisor(OptionList options) => _original = options;

    /// <summary>How many PciEmu runs the search made (reported with the advice).</summary>
    public int Runs => _runs;

    /// <summary>Runs the search; TopologyException for malformed input (exit 2 at the CLI).</summary>
    public AdviceResult Advise()
    {
        var baseOptions = BaseOf();
        var baseline = Evaluate(baseOptions, throwOnInput: true);
        if (baseline.PlannedSteps == 0) throw new TopologyException("--device-add", "advise: give at least one planned --device-add");
        if (baseline.Refused is { } refused)
            return new AdviceResult { Options = baseOptions, Impossible = refused, Verification = baseline.Summaries };
        if (baseline.AllOk)
            return new AdviceResult { NothingToDo = true, Options = baseOptions, Verification = baseline.Summaries };

        var reasons = baseline.Reasons;
        var chosen = new List<Candidate>();
        var current = baseline;
        for (var round = 0; round < MaxRounds && !current.AllOk; round++)
        {
            var needs = current.Needs;
            if (needs.Count == 0) break;
            var progress = false;
            foreach (var need in needs)
            {
                var best = BestFor(need, chosen, current, baseline);
                if (best is null) continue;
                chosen.RemoveAll(c => c.SameKnob(best));
                chosen.Add(best);
                progress = true;
            }
            if (!progress) break;
            current = Evaluate(Apply(baseOptions, chosen), throwOnInput: false);
        }

        if (!current.AllOk || chosen.Count == 0)
        {
            var missing = string.Join(", ", current.Needs.Select(Describe));
            return new AdviceResult
            {
                Options = baseOptions,
                Reasons = reasons,
                Impossible = current.FirmwareFailure is { } f
                    ? $"the firmware stops with every change tried ({f})"
                    : $"no reservation or kernel parameter the firmware and kernel honour makes room for {(missing.Length > 0 ? missing : "the planned hot-plug")} ({PathNote(current)})",
                Verification = baseline.Summaries,
            };
        }

        chosen = Prune(baseOptions, chosen);
        var final = Evaluate(Apply(baseOptions, chosen), throwOnInput: false);
        return new AdviceResult
        {
            Found = final.AllOk,
            Options = Apply(baseOptions, chosen),
            Changes = chosen.SelectMany(c => c.ChangeList).ToArray(),
            Reasons = reasons,
            ReservedBytes = Saturating(final.WindowBytes, baseline.WindowBytes) + chosen.Aggregate(0UL, (s, c) => s + c.ExtraBytes),
            ReservedBuses = Math.Max(0, final.BusNumbers - baseline.BusNumbers),
            Verification = final.Summaries,
            KernelArguments = KernelArguments(chosen),
            Impossible = final.AllOk ? null : "the combined change did not verify",
        };
    }

    /// <summary>The driver of the -device with this id and the properties its model has (null when unknown).</summary>
    private (string? Driver, IReadOnlyCollection<string>? Properties) DeviceOf(string id)
    {
        var driver = _original.FindDevice(id) is { } line ? QemuOpts.Parse(line, DeviceLineParser.DriverKey).FirstOrDefault().Value : null;
        return (driver, driver is null ? null : DevicesCatalog.Instance.Find(driver)?.Properties);
    }

    /// <summary>Which bridges on the failing paths could not carry a reservation, for the "impossible" verdict.</summary>
    private string PathNote(Outcome current)
    {
        var without = new List<string>();
        foreach (var id in current.FailingPaths.SelectMany(p => p).Distinct(StringComparer.Ordinal))
        {
            var (driver, props) = DeviceOf(id);
            if (props is null || !props.Contains("mem-reserve")) without.Add($"{id} ({driver})");
        }
        return without.Count == 0
            ? "out of address space: every size tried up to the machine's limits failed"
            : $"no reservation properties on {string.Join(", ", without)}; every other size tried failed";
    }

    private static ulong Saturating(ulong a, ulong b) => a > b ? a - b : 0;

    /// <summary>Drops changes the others make unnecessary (fewest changes at equal cost).</summary>
    private List<Candidate> Prune(OptionList options, List<Candidate> chosen)
    {
        var result = chosen.ToList();
        foreach (var c in chosen)
        {
            if (result.Count == 1) break;
            var without = result.Where(x => x != c).ToList();
            var o = Evaluate(Apply(options, without), throwOnInput: false);
            if (o.AllOk) result = without;
        }
        return result;
    }

    private static IReadOnlyList<string> KernelArguments(IEnumerable<Candidate> chosen)
    {
        var words = chosen.SelectMany(c => c.ChangeList).Where(c => c.Where == "kernel").Select(c => c.Value is null ? c.Name : c.Name + "=" + c.Value).Distinct().ToArray();
        return words.Length == 0 ? [] : ["pci=" + string.Join(',', words)];
    }

    private static string Describe(Need need) => need switch
    {
        Need.Mem => "32-bit memory",
        Need.Pref32 => "32-bit prefetchable memory",
        Need.Pref64 => "64-bit prefetchable memory",
        Need.Io => "I/O ports",
        _ => "bus numbers",
    };

    private static OptionList Apply(OptionList options, IEnumerable<Candidate> chosen)
    {
        var o = options;
        foreach (var c in chosen) o = c.Apply(o);
        return o;
    }

    /// <summary>The cheapest candidate (with its smallest working value) that satisfies <paramref name="need"/>.</summary>
    private Candidate? BestFor(Need need, List<Candidate> chosen, Outcome current, Outcome baseline)
    {
        Candidate? best = null;
        (ulong Bytes, int Buses, int Changes) bestCost = default;
        foreach (var knob in Knobs(need, current))
        {
            var others = chosen.Where(c => !c.SameKnob(knob)).ToList();
            var found = Search(knob, need, others, current);
            if (found is null) continue;
            var outcome = Evaluate(Apply(BaseOf(), [.. others, found]), throwOnInput: false);
            var cost = (Saturating(outcome.WindowBytes, baseline.WindowBytes) + found.ExtraBytes, Math.Max(0, outcome.BusNumbers - baseline.BusNumbers), found.Changes);
            if (best is null || cost.CompareTo(bestCost) < 0)
            {
                best = found;
                bestCost = cost;
            }
        }
        return best;
    }

    /// <summary>The knobs that can add room of one kind on the failing steps' paths.</summary>
    private IEnumerable<Knob> Knobs(Need need, Outcome current)
    {
        var property = need switch
        {
            Need.Mem => "mem-reserve",
            Need.Pref32 => "pref32-reserve",
            Need.Pref64 => "pref64-reserve",
            Need.Io => "io-reserve",
            _ => "bus-reserve",
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in current.FailingPaths.SelectMany(p => p))
        {
            if (!seen.Add(id)) continue;
            if (DeviceOf(id).Properties is not { } props) continue;
            if (props.Contains(property)) yield return Knob.Device(id, property, need);
            // Bus numbers decide whether firmware configures the bridge at all (bus-reserve=0 leaves it invalid,
            // and Linux then resizes it from scratch), so they are a knob for every kind of room.
            if (need != Need.Bus && props.Contains("bus-reserve")) yield return Knob.Device(id, "bus-reserve", Need.Bus);
            // A prefetchable BAR also fits a non-prefetchable window when the bridge has no prefetchable one.
            if (need is Need.Pref32 or Need.Pref64 && props.Contains("mem-reserve")) yield return Knob.Device(id, "mem-reserve", Need.Mem);
        }
        var kernelParam = need switch
        {
            Need.Mem => "hpmmiosize",
            Need.Pref32 or Need.Pref64 => "hpmmioprefsize",
            Need.Io => "hpiosize",
            _ => "hpbussize",
        };
        yield return Knob.Kernel(kernelParam, need, withRealloc: false);
        yield return Knob.Kernel(kernelParam, need, withRealloc: true);
        yield return Knob.Realloc();
        if (need is Need.Mem or Need.Pref32 && current.IsXen) yield return Knob.MmioHole();
    }

    /// <summary>Doubling from the shortfall, then bisection: the smallest value of <paramref name="knob"/> that satisfies <paramref name="need"/>.</summary>
    private Candidate? Search(Knob knob, Need need, List<Candidate> others, Outcome current)
    {
        bool Works(Candidate c)
        {
            var o = Evaluate(c.Apply(Apply(BaseOf(), others)), throwOnInput: false);
            return o.FirmwareFailure is null && !o.Needs.Contains(need) && o.PlannedFound;
        }

        if (!knob.Sized)
        {
            var c = knob.At(0);
            return Works(c) ? c : null;
        }
        var lo = 0UL;
        var hi = knob.Lower(current.Shortfall(need));
        Candidate? working = null;
        while (hi <= knob.Max)
        {
            var c = knob.At(hi);
            if (Works(c))
            {
                working = c;
                break;
            }
            lo = hi;
            hi = hi * 2;
        }
        if (working is null) return null;
        // Bisect (lo fails, hi works) down to the knob's granularity.
        while (hi - lo > knob.Granule)
        {
            var mid = (lo + (hi - lo) / 2) / knob.Granule * knob.Granule;
            if (mid <= lo) break;
            var c = knob.At(mid);
            if (Works(c))
            {
                hi = mid;
                working = c;
            }
            else
            {
                lo = mid;
            }
        }
        return working;
    }

    private OptionList BaseOf() => _original.Find("kernel") is null ? _original.WithKernelOption("v6.12", null) : _original;

    /// <summary>One PciEmu run of the topology with its planned steps, reduced to what the search needs.</summary>
    private Outcome Evaluate(OptionList options, bool throwOnInput)
    {
        _runs++;
        var settings = new RunSettings();
        Scenario scenario;
        try
        {
            scenario = ScenarioOptions.CreateParser(settings).ParseArguments(options.ToArguments());
        }
        catch (TopologyException) when (!throwOnInput)
        {
            return Outcome.Rejected("the amended topology is not valid");
        }
        var request = new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Edk2Options = settings.Edk2, Kernel = settings.Kernel ?? new KernelOptions() };
        ScenarioRunner runner;
        try
        {
            runner = ScenarioRunner.Boot(request);
        }
        catch (TopologyException) when (!throwOnInput)
        {
            return Outcome.Rejected("the amended topology is not valid");
        }
        var outcome = new Outcome { IsXen = scenario.Xen is not null || runner.Machine.Kind.PciFirmware is not null };
        if (runner.FirmwareFailed)
        {
            outcome.FirmwareFailure = runner.FirmwareFailureMessage ?? "firmware failed";
            outcome.PlannedSteps = scenario.Steps.OfType<DeviceAddStep>().Count();
            return outcome;
        }
        var kernel = runner.Kernel!;
        var windows = kernel.DeviceResources().Where(x => x.Index is >= 13 and <= 15).ToList();
        foreach (var (_, _, r) in windows)
        {
            if (r.IsAssigned) outcome.WindowBytes += r.Size;
        }
        outcome.BusNumbers = BusNumbers(runner.Machine.Snapshot().Root);
        foreach (var step in scenario.Steps)
        {
            StepResult result;
            try
            {
                result = RunOne(runner, step);
            }
            catch (TopologyException e)
            {
                outcome.Refused = $"{e.Token}: {e.Message}";
                outcome.PlannedSteps++;
                return outcome;
            }
            if (step is not DeviceAddStep add) continue;
            outcome.PlannedSteps++;
            outcome.Summaries.Add(result.Summary);
            if (result.Passed == true) continue;
            var path = PathOf(options, add.Device.Bus);
            outcome.FailingPaths.Add(path);
            var verdict = result.Verdict;
            if (verdict is null || verdict.Devices.Count == 0)
            {
                outcome.PlannedFound = false;
                outcome.Needs.Add(Need.Bus);
                outcome.Reasons.Add(new AdviceReason(result.Summary, Need.Bus, $"{add.Device.Id ?? add.Device.Driver}: no function found behind {add.Device.Bus ?? "the root bus"} (no bus number for it)"));
                continue;
            }
            var parent = ScenarioRunner.FindBridgeOfBus(runner.Machine.Snapshot().Root, add.Device.Bus ?? "", 0);
            foreach (var d in verdict.Devices)
            {
                foreach (var bar in d.Bars.Where(b => !b.Assigned))
                {
                    var need = bar.Type == "io" ? Need.Io : bar.Prefetch ? (bar.Mem64 ? Need.Pref64 : Need.Pref32) : Need.Mem;
                    outcome.Needs.Add(need);
                    outcome.ShortBytes[need] = outcome.ShortBytes.GetValueOrDefault(need) + bar.Size;
                    outcome.Reasons.Add(new AdviceReason(result.Summary, need, Explain(d.Bdf, bar, need, add.Device.Bus, parent, windows)));
                }
            }
        }
        return outcome;
    }

    private static StepResult RunOne(ScenarioRunner runner, ScenarioStep step)
    {
        var before = runner.Steps.Count;
        runner.RunSteps([step]);
        return runner.Steps[before];
    }

    /// <summary>Which window was too small and by how much, for one unassigned BAR.</summary>
    private static string Explain(Bdf bdf, BarVerdict bar, Need need, string? name, Bdf? parent, List<(Bdf Bdf, int Index, PciEmu.Os.Resources.Resource Resource)> windows)
    {
        var what = $"BAR {bar.Index} of {bdf} ({Describe(need)}, {Size(bar.Size)})";
        if (parent is not { } p) return $"{what} did not fit on the root bus";
        var index = need switch { Need.Io => 13, Need.Mem => 14, _ => 15 };
        var window = windows.FirstOrDefault(w => w.Bdf == p && w.Index == index).Resource;
        var kind = need switch { Need.Io => "I/O window", Need.Mem => "memory window", _ => "prefetchable window" };
        if (window is null || !window.IsAssigned) return $"{what}: {name} ({p}) has no {kind} (short by {Size(bar.Size)})";
        var shortBy = bar.Size > window.Size ? bar.Size - window.Size : bar.Size;
        return $"{what}: {name} ({p}) {kind} is {Size(window.Size)}, short by at least {Size(shortBy)}";
    }

    /// <summary>The ids of the bridges from the slot's bus up to the root bus (innermost first).</summary>
    private static List<string> PathOf(OptionList options, string? bus)
    {
        var path = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (bus is not null && seen.Add(bus) && options.FindDevice(bus) is { } line)
        {
            path.Add(bus);
            bus = QemuOpts.Parse(line, DeviceLineParser.DriverKey).FirstOrDefault(o => o.Name == DeviceLineParser.BusKey).Value;
        }
        return path;
    }

    private static int BusNumbers(BusSnapshot bus)
    {
        var n = 0;
        foreach (var f in bus.Functions)
        {
            if (!f.IsBridgeHeader) continue;
            if (f.SubordinateBus >= f.SecondaryBus && f.SecondaryBus != 0) n += f.SubordinateBus - f.SecondaryBus + 1;
            if (f.Secondary is { } child) n += BusNumbers(child);
        }
        return n;
    }

    /// <summary>A size in QEMU's size syntax: the largest of T/G/M/K that divides it ("8M", "1536M", "4K").</summary>
    public static string Size(ulong bytes)
    {
        foreach (var (suffix, unit) in new[] { ("T", 1UL << 40), ("G", 1UL << 30), ("M", 1UL << 20), ("K", 1UL << 10) })
        {
            if (bytes >= unit && bytes % unit == 0) return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffix;
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
