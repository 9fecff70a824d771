using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;

namespace PciEmu.Scenarios.Checking;

/// <summary>The rule names a violation carries (STYLE.md §19).</summary>
public static class InvariantRules
{
    public const string Overlap = "overlap";
    public const string Containment = "containment";
    public const string Alignment = "alignment";
    public const string BusRange = "bus-range";
    public const string RootWindow = "root-window";
    public const string ReserveCap = "reserve-cap";
    public const string FirmwareKernel = "firmware-kernel";
    public const string KernelConfig = "kernel-config";
}

/// <summary>One broken invariant: the rule and a message naming the functions and ranges involved.</summary>
public sealed record InvariantViolation(string Rule, string Message)
{
    public override string ToString() => $"{Rule}: {Message}";
}

/// <summary>What the checker looks at: config space as captured, and optionally the firmware's and the kernel's views.</summary>
public sealed record InvariantInput
{
    public required PciSnapshot Snapshot { get; init; }

    /// <summary>The SeaBIOS run (its log is the firmware's own view of what it programmed); null: no firmware.</summary>
    public SeaBiosResult? Firmware { get; init; }

    /// <summary>The Linux-like enumerator after boot (and hot-plug); null: no kernel.</summary>
    public LinuxEnumerator? Kernel { get; init; }
}

/// <summary>
/// Checks the invariants that make an allocator correct, from config space only (a <see cref="PciSnapshot"/>), plus
/// the firmware log and the kernel's resources: no overlapping decodes at one level, every decode inside every window
/// above it, natural alignment, nested bus ranges, QEMU's reservation capability honoured as SeaBIOS promises, and
/// firmware = kernel = config space for the BARs (x86 Linux keeps firmware assignments).
/// </summary>
public static class InvariantChecker
{
    /// <summary>Checks a booted (and stepped) scenario: its machine's config space, firmware and kernel.</summary>
    public static IReadOnlyList<InvariantViolation> Check(ScenarioRunner runner) => Check(new InvariantInput
    {
        Snapshot = runner.Machine.Snapshot(),
        Firmware = runner.Firmware,
        Kernel = runner.Kernel,
    });

    public static IReadOnlyList<InvariantViolation> Check(InvariantInput input)
    {
        var found = new List<InvariantViolation>();
        var tree = DecodedTree.Build(input.Snapshot);
        var firmwareOk = input.Firmware is { Outcome.IsOk: true };
        AddressRules.Check(tree, found);
        BusRules.Check(tree, firmwareOk, found);
        if (firmwareOk)
        {
            AddressRules.CheckRootWindow(tree, input.Firmware!.Windows, found);
            ReserveCapRules.Check(tree, found);
        }
        if (input.Kernel is { Booted: true } kernel)
        {
            ViewRules.CheckKernelAgainstConfig(tree, kernel, found);
            if (firmwareOk) ViewRules.CheckFirmwareAgainstKernel(input.Firmware!, kernel, found);
        }
        return found;
    }
}
