using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.Virt;

/// <summary>
/// What QEMU virt tells a guest about PCI, computed host-side from the machine as the firmware left it: the pcie@ node
/// of the device tree (create_pcie: reg, bus-range, ranges; what EDK2's FdtPciHostBridgeLib reads) and the ACPI tables
/// of virt-acpi-build.c / gpex-acpi.c / hw/acpi/pcihp.c (MCFG, PCI0's _CRS, _OSC, no _DSM #5, acpi-ged's hot-plug slots;
/// what Linux reads).
/// </summary>
public static class VirtTablesBuilder
{
    /// <summary>acpi_dsdt_add_pci: Scope(\_SB) Device(PCI0).</summary>
    public const string Pci0Path = @"\_SB_.PCI0";

    /// <summary>create_pcie: the node name pcie@ECAM-base (the high ECAM window's address).</summary>
    private const string NodePrefix = "/pcie@";

    public static FirmwareTables Build(Machine machine, VirtBoard board)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(board);
        var dt = board.DeviceTree;
        var acpi = board.AcpiPci;
        var ecam = new EcamAllocation(dt.EcamBase, 0, dt.BusStart, dt.BusEnd);
        var host = new DeviceTreePciHost
        {
            NodePath = $"{NodePrefix}{dt.EcamBase:x}",
            Compatible = VirtDeviceTreePci.Compatible,
            Ecam = ecam,
            Ranges = dt.Ranges.Select(r => Window(r, deviceTree: true)).ToArray(),
        };
        var pci0 = new HostBridgeTable
        {
            Path = Pci0Path,
            BusStart = acpi.BusStart,
            BusEnd = acpi.BusEnd,
            Windows = acpi.Crs.Select(r => Window(r, deviceTree: false)).ToArray(),
            Osc = (OscControls)acpi.OscControls,
            DsmFunction5 = acpi.DsmFunction5,
        };
        return new FirmwareTables
        {
            Architecture = TableArchitecture.Arm64,
            DeviceTree = [host],
            Acpi = new AcpiTables
            {
                Mcfg = [new EcamAllocation(acpi.McfgBase, 0, acpi.BusStart, acpi.BusEnd)],
                HostBridges = [pci0],
                HotplugSlots = acpi.PciHotplug ? DescribeHotplugSlots(machine) : [],
            },
        };
    }

    /// <summary>A range as a window: bus addresses, the CPU translation; DT keeps the 64-bit memory space code.</summary>
    private static AddressWindow Window(VirtRange r, bool deviceTree) => new(
        r.Kind switch
        {
            VirtRangeKind.Io => WindowSpace.Io,
            VirtRangeKind.Mem64 when deviceTree => WindowSpace.Memory64,
            _ => WindowSpace.Memory,
        },
        r.PciBase, r.PciLimit, r.CpuBase - r.PciBase);

    // ---- BEGIN hot-plug slot description (build_append_pcihp_slots). Keep the DSDT's slot rules in this one method.

    /// <summary>
    /// build_append_pcihp_slots / is_devfn_ignored_hotplug (QEMU 11.1), on the buses as the firmware numbered them: on
    /// every bus with a selector (all buses with acpi-ged's bridge hot-plug, the root bus included), a slot with _SUN =
    /// slot number for each populated hot-pluggable function-0 device (cold-plugged bridges are not) and for each empty
    /// slot, except empty slots above 0 on a PCIe bus. Slot devices are named S%.02X after their devfn, nested under
    /// their bridge's device.
    /// </summary>
    public static IReadOnlyList<AcpiHotplugSlot> DescribeHotplugSlots(Machine machine)
    {
        const int slotsPerBus = 32;
        var result = new List<AcpiHotplugSlot>();
        var snapshot = machine.Snapshot();
        Walk(0, express: true, Pci0Path);
        return result;

        void Walk(int busNumber, bool express, string path)
        {
            var bus = snapshot.FindBus(busNumber);
            var bridges = new List<(int Secondary, bool Express, string Path)>();
            for (var slot = 0; slot < slotsPerBus; slot++)
            {
                if (bus?.At(slot << 3) is not { Visible: true })
                {
                    if (!(express && slot > 0)) result.Add(new AcpiHotplugSlot(busNumber, slot, $"{path}.{AcpiName(slot << 3)}"));
                    continue;
                }
                var hotpluggable = true;
                for (var fn = 0; fn < Bdf.FunctionCount; fn++)
                {
                    var devFn = (slot << 3) | fn;
                    if (bus.At(devFn) is not { Visible: true } f) continue;
                    if (f.IsBridgeHeader)
                    {
                        if (fn == 0) hotpluggable = false;
                        bridges.Add((f.SecondaryBus, HasExpressCapability(f), $"{path}.{AcpiName(devFn)}"));
                    }
                    if (fn == 0 && !f.IsMultifunction) break;
                }
                if (hotpluggable) result.Add(new AcpiHotplugSlot(busNumber, slot, $"{path}.{AcpiName(slot << 3)}"));
            }
            foreach (var (sec, exp, bridgePath) in bridges)
            {
                if (sec > busNumber) Walk(sec, exp, bridgePath);
            }
        }
    }

    // ---- END hot-plug slot description.

    /// <summary>aml_device("S%.02X", devfn), padded to the four characters of an ACPI name segment.</summary>
    private static string AcpiName(int devFn) => $"S{devFn:X2}_";

    /// <summary>pci_is_express of a bridge: its secondary bus is PCI Express when the bridge has the PCI Express capability.</summary>
    private static bool HasExpressCapability(FunctionSnapshot f)
    {
        foreach (var cap in CapabilityListBuilder.Walk(f.Config))
        {
            if (!cap.Extended && cap.Id == CapabilityId.Express) return true;
        }
        return false;
    }
}
