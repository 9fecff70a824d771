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
        return new FirmwareTables
        {
            Architecture = TableArchitecture.X86,
            Acpi = new AcpiTables
            {
                Mcfg = mcfg,
                HostBridges = [bridge],
                HotplugSlots = DescribeHotplugSlots(machine),
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

    // ---- BEGIN hot-plug slot description (build_append_pci_bus_devices). Keep the DSDT's slot rules in this one
    // ---- method: which buses have a BSEL and which slots get _SUN/_EJ0, with their full ACPI paths.

    /// <summary>
    /// build_append_pci_bus_devices (QEMU 7.2 acpi-build.c), on the buses as the firmware numbered them: a bus has a
    /// BSEL when ACPI hot-plug covers it (the root bus only with root hot-plug, bridges' buses with bridge hot-plug);
    /// on such a bus every empty slot and every slot whose functions are hot-pluggable gets _SUN/_EJ0 (cold-plugged
    /// bridges and models with dc->hotpluggable = false are not); below a PCIe root or downstream port only slot 0.
    /// Slot devices are named S%.02X after their devfn, nested under their bridge's device.
    /// </summary>
    public static IReadOnlyList<AcpiHotplugSlot> DescribeHotplugSlots(Machine machine)
    {
        const int slotsPerBus = 32;
        var acpi = machine.Acpi;
        var rootHotplug = acpi.AcpiRootHotplug;
        var bridgeHotplug = acpi.AcpiBridgeHotplug;
        var result = new List<AcpiHotplugSlot>();
        if (!rootHotplug && !bridgeHotplug) return result; // no selector anywhere: the DSDT describes no hot-plug slot
        var snapshot = machine.Snapshot();
        Walk(0, isRoot: true, underPciePort: false, Pci0Path);
        return result;

        void Walk(int busNumber, bool isRoot, bool underPciePort, string path)
        {
            var hasBsel = isRoot ? rootHotplug : bridgeHotplug;
            var bus = snapshot.FindBus(busNumber);
            var bridges = new List<(int Secondary, bool PciePort, string Path)>();
            for (var slot = 0; slot < slotsPerBus; slot++)
            {
                var hotpluggable = true;
                var present = false;
                for (var fn = 0; fn < Bdf.FunctionCount; fn++)
                {
                    var devFn = (slot << 3) | fn;
                    if (bus?.At(devFn) is not { Visible: true } f)
                    {
                        if (fn == 0) break;
                        continue;
                    }
                    present = true;
                    if (f.IsBridgeHeader)
                    {
                        // Cold-plugged bridges are not hot-pluggable themselves; their bus is described below them.
                        hotpluggable = false;
                        bridges.Add((f.SecondaryBus, IsPciePort(f), $"{path}.{AcpiName(devFn)}"));
                    }
                    if (machine.Catalog.Find(f.Driver) is not { Hotpluggable: true }) hotpluggable = false;
                    if (fn == 0 && !f.IsMultifunction) break;
                }
                if (underPciePort && slot > 0) continue;
                if (hasBsel && (!present || hotpluggable)) result.Add(new AcpiHotplugSlot(busNumber, slot, $"{path}.{AcpiName(slot << 3)}"));
            }
            if (!bridgeHotplug) return; // only the root bus has a selector
            foreach (var (sec, port, bridgePath) in bridges)
            {
                if (sec > busNumber) Walk(sec, isRoot: false, underPciePort: port, bridgePath);
            }
        }
    }

    // ---- END hot-plug slot description.

    /// <summary>aml_device("S%.02X", devfn), padded to the four characters of an ACPI name segment.</summary>
    private static string AcpiName(int devFn) => $"S{devFn:X2}_";

    /// <summary>A PCIe root or downstream port (only device 0 below it), from its PCI Express capability.</summary>
    private static bool IsPciePort(FunctionSnapshot f)
    {
        const int pcieFlagsOffset = 2;
        const int typeShift = 4;
        const int typeMask = 0xf;
        const int rootPort = 0x4;
        const int downstreamPort = 0x6;
        foreach (var cap in CapabilityListBuilder.Walk(f.Config))
        {
            if (cap.Extended || cap.Id != CapabilityId.Express) continue;
            var type = (f.Word(cap.Offset + pcieFlagsOffset) >> typeShift) & typeMask;
            return type is rootPort or downstreamPort;
        }
        return false;
    }
}
