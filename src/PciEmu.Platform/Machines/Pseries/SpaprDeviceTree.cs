using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.Pseries;

/// <summary>
/// The PCI part of the device tree QEMU 7.2 builds for a PHB (hw/ppc/spapr_pci.c): it numbers the buses itself
/// (spapr_phb_pci_enumerate) and writes one node per function (spapr_dt_pci_bus / spapr_dt_pci_device) with "reg"
/// but no "assigned-addresses" — QEMU assigns nothing. Host-side: no config cycles, as QEMU's pci_default_*_config.
/// </summary>
public static class SpaprDeviceTree
{
    private const uint SpaceIo = 1u << 24;
    private const uint SpaceMem32 = 2u << 24;
    private const uint SpaceMem64 = 3u << 24;
    private const int BusShift = 16;
    private const int DevFnShift = 8;
    private const uint DrcTypePci = 0x40000000;
    private const int ChassisShift = 8;
    private const int PhbIndexShift = 16;
    private const int SlotIdChassisOffset = 3;

    /// <summary>spapr_phb_pci_enumerate: depth-first pre-order bus numbers, subordinate tight.</summary>
    public static void Enumerate(PciBus root)
    {
        var busNo = 0;
        EnumerateBridge(root, ref busNo);
    }

    /// <summary>spapr_phb_pci_enumerate_bridge for every function of <paramref name="bus"/> in devfn order.</summary>
    private static void EnumerateBridge(PciBus bus, ref int busNo)
    {
        foreach (var (_, dev) in bus.Functions.OrderBy(x => x.DevFn).ToList())
        {
            // Only header type exactly 0x01: a bridge in a multifunction slot (0x81) is skipped, as QEMU does.
            if (dev.Config.GetByte(CommonHeader.HeaderType.Offset) != CommonHeader.HeaderTypeBridge) continue;
            if (dev is not PciBridgeFunction bridge) continue;
            busNo++;
            dev.WriteConfig(Type1Header.PrimaryBus.Offset, 1, (uint)bus.Number);
            dev.WriteConfig(Type1Header.SecondaryBus.Offset, 1, (uint)busNo);
            dev.WriteConfig(Type1Header.SubordinateBus.Offset, 1, (uint)busNo);
            if (bus.ChildOf(bridge) is not { } sec) continue;
            EnumerateBridge(sec, ref busNo);
            dev.WriteConfig(Type1Header.SubordinateBus.Offset, 1, (uint)busNo);
        }
    }

    /// <summary>spapr_dt_pci_bus: the nodes of a bus in ascending devfn order (reverse walk + fdt_add_subnode).</summary>
    public static IReadOnlyList<DeviceTreePciNode> Nodes(PciBus bus, int phbIndex, int chassis = 0)
    {
        var list = new List<DeviceTreePciNode>();
        foreach (var (devFn, f) in bus.Functions.OrderBy(x => x.DevFn))
        {
            IReadOnlyList<DeviceTreePciNode> children = [];
            if (f is PciBridgeFunction br && bus.ChildOf(br) is { } sec) children = Nodes(sec, phbIndex, ChassisNr(f));
            list.Add(new DeviceTreePciNode
            {
                Name = UnitAddress(devFn),
                Bus = bus.Number,
                DevFn = devFn,
                Reg = Reg(f, bus.Number, devFn),
                DrcIndex = DrcTypePci | (uint)((phbIndex << PhbIndexShift) | (chassis << ChassisShift) | devFn),
                Children = children,
            });
        }
        return list;
    }

    /// <summary>The chassis_nr of a bridge, from its Slot ID capability (chassis byte); 0 without one.</summary>
    private static int ChassisNr(PciFunction f)
    {
        foreach (var c in CapabilityListBuilder.Walk(f.Config.ReadOnlyData))
        {
            if (!c.Extended && c.Id == CapabilityId.SlotId) return f.Config.GetByte(c.Offset + SlotIdChassisOffset);
        }
        return 0;
    }

    /// <summary>encode-unit: "slot" or "slot,fn" in hex.</summary>
    private static string UnitAddress(int devFn) =>
        (devFn & 7) == 0 ? $"{devFn >> 3:x}" : $"{devFn >> 3:x},{devFn & 7:x}";

    /// <summary>populate_resource_props: the config entry, then one entry per implemented region (ROM last).</summary>
    private static IReadOnlyList<(uint PhysHi, ulong Size)> Reg(PciFunction f, int busNumber, int devFn)
    {
        var devId = ((uint)busNumber << BusShift) | ((uint)devFn << DevFnShift);
        var reg = new List<(uint, ulong)> { (devId, 0) };
        foreach (var bar in f.Bars.OrderBy(b => b.Index))
        {
            var space = bar.IsIo ? SpaceIo : bar.Is64 ? SpaceMem64 : SpaceMem32;
            reg.Add((devId | Type0Header.Bar(bar.Index).Offset | space, bar.Size));
        }
        // PCI_ROM_SLOT (region 6): pci_bar() gives 0x30, or 0x38 on a bridge; a 32-bit memory space.
        if (f.RomSize != 0) reg.Add((devId | (uint)f.RomOffset | SpaceMem32, f.RomSize));
        return reg;
    }
}
