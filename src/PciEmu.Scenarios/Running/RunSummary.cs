using System.Text;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Running;

/// <summary>
/// What <c>pciemu run</c> prints without <c>--emit</c>: the machine, the functions config space shows, how the
/// firmware ended (its panic text when it stopped), the kernel's verdict on its boot, one line per hot-plug step.
/// Stable wording: tests hold it.
/// </summary>
public static partial class RunSummary
{
    public static string Render(ScenarioRunner run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var m = run.Machine;
        var w = new StringBuilder();
        w.Append($"machine: {m.Type.Name} ({m.Kind.Description})\n");
        w.Append($"functions: {run.BootFunctions}\n");
        w.Append($"firmware: {Firmware(run)}\n");
        w.Append($"kernel: {Kernel(run)}\n");
        foreach (var s in run.Steps)
        {
            if (s.Step is DeviceAddStep or DeviceDelStep) w.Append($"hotplug: {s.Summary}\n");
        }
        return w.ToString();
    }

    /// <summary>The functions config space shows (what a bus scan finds).</summary>
    public static int CountVisible(BusSnapshot bus) =>
        bus.Functions.Count(f => f.Visible) + bus.Children.Sum(CountVisible);

    private static string Firmware(ScenarioRunner run)
    {
        if (run.FirmwareRun is not { } fw) return "none";
        return $"{run.FirmwareName}: {fw.Outcome}";
    }

    private static string Kernel(ScenarioRunner run)
    {
        if (run.Kernel is not { } k) return run.FirmwareFailed ? "not booted (firmware failed)" : "none";
        var devices = k.DeviceResources().Select(x => x.Bdf).Distinct().Count();
        // pci_assign_unassigned_resources gives up on a BAR with "BAR n ...: failed to assign" (and clears it).
        var failed = run.BootKernelLog.Select(l => FailedBar().Match(l)).Where(x => x.Success)
            .Select(x => $"{x.Groups["bdf"].Value} BAR {x.Groups["bar"].Value}").Distinct().ToArray();
        return failed.Length == 0
            ? $"{devices} functions with resources, all BARs assigned"
            : $"{devices} functions with resources, {failed.Length} BARs not assigned ({string.Join(", ", failed)})";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^pci (?<bdf>\S+): BAR (?<bar>\d+)\b.*failed to assign")]
    private static partial System.Text.RegularExpressions.Regex FailedBar();
}
