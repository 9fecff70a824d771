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
    public const string FirmwareFinishes = "firmware-finishes";
}

/// <summary>
/// One broken invariant: the rule and a message naming the functions and ranges involved. <see cref="KnownUpstream"/>
/// names the upstream behaviour when the real QEMU 7.2 + SeaBIOS 1.16.2 + Linux stack breaks it the same way (a
/// faithful reproduction, reported but not a PciEmu failure).
/// </summary>
public sealed record InvariantViolation(string Rule, string Message)
{
    public string? KnownUpstream { get; init; }
    public bool IsKnown => KnownUpstream is not null;

    public override string ToString() => KnownUpstream is null ? $"{Rule}: {Message}" : $"{Rule}: {Message} [known upstream: {KnownUpstream}]";
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
    /// <summary>
    /// QEMU 7.2 pcie-root-port,io-reserve=0 makes the I/O base/limit read-only at 0xF0/0x00; SeaBIOS's presence probe
    /// (rb 0x1C != 0) and Linux's pci_read_bridge_windows (IO_BASE != 0) both still take the window as present, so
    /// I/O below the port is assigned but never forwarded (recorded: conformance d1-q35-mixed-1G-linux, 00:02.2).
    /// </summary>
    public const string ReadOnlyIoWindow = "QEMU 7.2 io-reserve=0 read-only I/O window taken as present by SeaBIOS and Linux";

    /// <summary>
    /// SeaBIOS 1.16.2 pci_bios_init_bus_rec: a QEMU bus reservation no larger than the buses below rewinds the bus
    /// counter; behind nested bridges the next bridge can get a bus on its own path and the recursion never ends, until
    /// the real SeaBIOS overflows its stack (recorded: conformance random/fw-010; the port dies at the same depth).
    /// </summary>
    public const string BusNumberingLoop = "SeaBIOS 1.16.2 bus-reserve rewind loops pci_bios_init_bus_rec until its stack overflows";

    /// <summary>SeaBIOS 1.16.2 pci_bios_init_bus_rec takes a bus reservation no larger than the buses below as an absolute subordinate bus.</summary>
    public const string BusCounterRewound = "SeaBIOS 1.16.2 bus-reserve no larger than the buses below rewinds its bus counter: bus numbers overlap";

    /// <summary>The violations that are not known upstream behaviour.</summary>
    public static IReadOnlyList<InvariantViolation> Failures(IEnumerable<InvariantViolation> all) => [.. all.Where(v => !v.IsKnown)];

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
        if (input.Firmware is { Outcome.Kind: SeaBiosOutcomeKind.Hung } hung)
        {
            // The machine never leaves the firmware: config space is a mid-POST state, nothing else is meaningful.
            found.Add(new(InvariantRules.FirmwareFinishes, hung.Outcome.Message ?? "SeaBIOS never finishes") { KnownUpstream = BusNumberingLoop });
            return found;
        }
        var tree = DecodedTree.Build(input.Snapshot);
        var firmwareOk = input.Firmware is { Outcome.IsOk: true };
        AddressRules.Check(tree, found);
        BusRules.Check(tree, firmwareOk, found);
        if (firmwareOk)
        {
            AddressRules.CheckRootWindow(tree, input.Firmware!.Windows, input.Kernel is { Booted: true } k ? k.Facts.RootWindows : [], found);
            ReserveCapRules.Check(tree, found);
        }
        if (input.Kernel is { Booted: true } kernel)
        {
            ViewRules.CheckKernelAgainstConfig(tree, kernel, found);
            if (firmwareOk) ViewRules.CheckFirmwareAgainstKernel(tree, input.Firmware!, kernel, found);
        }
        if (input.Firmware is { BusCounterRewinds.Count: > 0 } rewound)
        {
            // Everything downstream of overlapping bus numbers is the upstream bug's consequence.
            var why = $"{BusCounterRewound} ({rewound.BusCounterRewinds[0]})";
            return [.. found.Select(v => v.IsKnown ? v : v with { KnownUpstream = why })];
        }
        return found;
    }
}
