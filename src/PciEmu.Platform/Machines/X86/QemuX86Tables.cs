using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.X86;

/// <summary>
/// The PCI part of the ACPI tables QEMU 7.2 builds for pc and q35 (hw/i386/acpi-build.c), computed host-side from
/// the machine as the firmware left it (QEMU rebuilds the tables when firmware reads them, acpi_build_update, so
/// they reflect the firmware's PCI setup): MCFG, PCI0's _CRS from the memory layout, _OSC, _DSM, the hot-plug slots.
/// </summary>
public static class QemuX86Tables
{
    /// <summary>The root host bridge's ACPI path (build_dsdt: Scope(\_SB) Device(PCI0)).</summary>
    public const string Pci0Path = @"\_SB_.PCI0";

    /// <summary>build_dsdt: the I/O ranges split around the CF8/CFC ports, and the VGA window.</summary>
    private const ulong IoLowEnd = 0x0cf7;
    private const ulong IoHighStart = 0x0d00;
    private const ulong IoEnd = 0xffff;
    private const ulong VgaStart = 0xa0000;
    private const ulong VgaEnd = 0xbffff;

    /// <summary>build_mcfg: segment 0, buses 0 .. size/1 MiB - 1.</summary>
    private const ulong EcamBytesPerBus = 1UL << 20;

    /// <summary>acpi_build for pc (<paramref name="q35"/> false) or q35.</summary>
    public static FirmwareTables Build(Machine machine, bool q35)
    {
        var acpi = machine.Acpi;
        var mcfg = new List<EcamAllocation>();
        var windows = new List<AddressWindow>
        {
            new(WindowSpace.Io, 0, IoLowEnd),
            new(WindowSpace.Io, IoHighStart, IoEnd),
            new(WindowSpace.Memory, VgaStart, VgaEnd),
        };
        // build_dsdt: crs_replace_with_free_ranges of the 32-bit hole around what other users hold (the MCFG window on q35).
        var used = new List<(ulong Start, ulong End)>();
        if (q35)
        {
            var (ecamBase, ecamSize) = machine.Ecam ?? (Machine.DefaultEcamBase, Machine.DefaultEcamSize);
            used.Add((ecamBase, ecamBase + ecamSize - 1));
            if (machine.Ecam is { } e) mcfg.Add(new EcamAllocation(e.Base, 0, 0, (int)(e.Size / EcamBytesPerBus) - 1));
        }
        foreach (var (start, end) in FreeRanges(used, machine.Memory.PciHole32Start, MemoryLayout.IoApicBase - 1))
            windows.Add(new AddressWindow(WindowSpace.Memory, start, end));
        // build_dsdt: the 64-bit hole (i440fx/q35 pci_hole64 properties).
        var (start64, end64) = machine.PciHole64;
        if (end64 > start64) windows.Add(new AddressWindow(WindowSpace.Memory, start64, end64 - 1));

        var bridge = new HostBridgeTable
        {
            Path = Pci0Path,
            Windows = windows,
            Osc = acpi.HasOsc ? (OscControls)acpi.OscGrantedControls : null,
            DsmFunction5 = acpi.DsmFunction5Value,
        };
        var (pciNamespace, slots) = DescribePciNamespace(machine, q35);
        return new FirmwareTables
        {
            Architecture = TableArchitecture.X86,
            Acpi = new AcpiTables
            {
                Mcfg = mcfg,
                HostBridges = [bridge],
                HotplugSlots = slots,
                PciNamespace = pciNamespace,
            },
            E820 = machine.Memory.E820,
            PciGapStart = machine.Memory.BelowFourG,
        };
    }

    /// <summary>crs_replace_with_free_ranges: the parts of [start, end] not covered by <paramref name="used"/>.</summary>
    private static IEnumerable<(ulong Start, ulong End)> FreeRanges(List<(ulong Start, ulong End)> used, ulong start, ulong end)
    {
        var free = start;
        foreach (var (s, e) in used.OrderBy(u => u.Start))
        {
            if (e < free || s > end) continue;
            if (s > free) yield return (free, s - 1);
            if (e >= end) yield break;
            free = e + 1;
        }
        if (free <= end) yield return (free, end);
    }

    /// <summary>
    /// The PCI part of QEMU 7.2's DSDT (<see cref="QemuDsdt"/>: build_append_pci_bus_devices and acpi_set_bsel) over the
    /// machine's own bus tree as the firmware numbered it: the namespace below PCI0 and its ejectable slots. The root
    /// bus has a hot-plug selector with pc's acpi-root-pci-hotplug (never on q35's pcie.0); bridges' buses with
    /// acpi-pci-hotplug-with-bridge-support. Hot-pluggability is the device model's (DeviceClass.hotpluggable).
    /// </summary>
    public static (AcpiPciScope Namespace, IReadOnlyList<AcpiHotplugSlot> Slots) DescribePciNamespace(Machine machine, bool q35)
    {
        var acpi = machine.Acpi;
        var tree = QemuDsdt.FromSnapshot(PciSnapshot.CaptureHeaders(machine).Root, f => machine.Catalog.Find(f.Driver) is { Hotpluggable: true });
        var scope = QemuDsdt.Describe(tree, Pci0Path, isPc: !q35, rootBsel: !q35 && acpi.AcpiRootHotplug, bridgeHotplug: acpi.AcpiBridgeHotplug);
        return (scope, QemuDsdt.HotplugSlots(scope, tree));
    }

}
