using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/probe.c: bus and device scanning (pci_scan_*, pci_setup_device, pci_hp_add_bridge).</summary>
internal sealed class Probe(PciCore core) : PciCorePart(core)
{

    /// <summary>acpi_pci_root_create + pci_create_root_bus: register the apertures, then pci_scan_child_bus.</summary>
    public PciBusNode ScanRootBus()
    {
        var root = new PciBusNode(0, null, null);
        root.Busn.End = (ulong)Facts.BusEnd;
        Core.SetRoot(root);
        Core.Acpiphp.AcpiphpEnumerateSlots(root);
        foreach (var w in Facts.RootWindows)
        {
            var r = new Resource($"PCI Bus {root.Name}", w.Start, w.End, w.Type | ResFlags.Window);
            root.RootWindows.Add(r);
            ResourceTree.RequestConflict(w.Type == ResFlags.Io ? Core.IoPortRoot : Core.IoMemRoot, r);
            Log.Bus(root, $"root bus resource {r}");
        }
        Log.Bus(root, $"root bus resource {root.Busn}");
        ScanChildBusExtend(root, 0);
        return root;
    }

    /// <summary>pci_scan_child_bus_extend.</summary>
    public int ScanChildBusExtend(PciBusNode bus, int availableBuses)
    {
        var max = bus.Number;
        for (var dev = 0; dev < Bdf.DeviceCount; dev++) ScanSlot(bus, dev << PciRegs.DevFnShift);
        if (!bus.IsAdded)
        {
            Core.ProbeBases.PcibiosFixupBus(bus);
            bus.IsAdded = true;
        }
        var usedBuses = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var d in bus.Devices.Where(d => d.IsBridge).ToArray())
            {
                var cmax = max;
                max = ScanBridgeExtend(bus, d, max, pass == 0 ? 0 : Math.Max(0, availableBuses - usedBuses), pass);
                usedBuses += max > cmax ? max - cmax : 1;
            }
        }
        return max;
    }

    /// <summary>pci_scan_slot: function 0, then 1..7 only when function 0 says multi-function.</summary>
    public List<PciDev> ScanSlot(PciBusNode bus, int devfn)
    {
        var found = new List<PciDev>();
        if (bus.Self is { IsPcieDownstreamPort: true } && devfn > 0) return found;
        for (var fn = 0; fn < Bdf.FunctionCount; fn++)
        {
            var bdf = Bdf.FromDevFn(bus.Number, devfn + fn);
            if (bus.Devices.Any(d => d.Bdf == bdf))
            {
                if (fn == 0 && !bus.Devices.First(d => d.Bdf == bdf).Multifunction) break;
                continue;
            }
            var dev = ScanDevice(bus, bdf);
            if (dev is null)
            {
                if (fn == 0) break;
                continue;
            }
            found.Add(dev);
            if (fn == 0 && !dev.Multifunction) break;
        }
        return found;
    }

    /// <summary>pci_scan_device + pci_setup_device + pci_device_add (header fixups).</summary>
    private PciDev? ScanDevice(PciBusNode bus, Bdf bdf)
    {
        var id = Cfg.Read32(bdf, CommonHeader.VendorId.Offset);
        if (id is uint.MaxValue or 0 or PciRegs.AbsentLowHalf or PciRegs.AbsentHighHalf) return null;
        var dev = new PciDev(bdf, bus) { Vendor = (ushort)id, Device = (ushort)(id >> PciRegs.DeviceIdShift) };
        var hdr = Read8(dev, CommonHeader.HeaderType.Offset);
        dev.HdrType = (byte)(hdr & CommonHeader.HeaderTypeMask);
        dev.Multifunction = (hdr & CommonHeader.HeaderTypeMultifunction) != 0;
        dev.Class = Read32(dev, CommonHeader.Revision.Offset) >> PciRegs.ClassShift;
        SetPciePortType(dev);
        Log.Dev(dev, HeaderLine(dev));
        if (dev.IsBridge)
        {
            dev.Transparent = (dev.Class & PciRegs.ProgIfMask) == PciRegs.ProgIfSubtractive;
            dev.RomBaseReg = Type1Header.RomAddress.Offset;
            Core.ProbeBases.ReadBases(dev, Type1Header.BarCount, Type1Header.RomAddress.Offset);
            Core.ProbeBases.ReadBridgeWindows(dev);
            SetPcieHotplugBridge(dev);
        }
        else
        {
            dev.RomBaseReg = Type0Header.RomAddress.Offset;
            Core.ProbeBases.ReadBases(dev, Type0Header.BarCount, Type0Header.RomAddress.Offset);
            Core.Quirks.LegacyIdeQuirk(dev);
        }
        dev.ShpcCap = FindCapability(dev, CapabilityId.Shpc);
        bus.Devices.Add(dev);
        dev.HasAer = FindExtCapability(dev, ExtCapabilityId.Aer) != 0;
        ConfigureExtendedTags(dev);
        Core.Quirks.HeaderQuirks(dev);
        Core.LinkStatus.PcieReportDowntraining(dev);
        return dev;
    }

    private string HeaderLine(PciDev dev)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{dev.Vendor:x4}:{dev.Device:x4}] type {dev.HdrType:x2} class 0x{dev.Class:x6}");
        return Is612 ? $"{line} {PciTypeString(dev)}" : line;
    }

    /// <summary>pci_type_str (6.8+).</summary>
    private static string PciTypeString(PciDev dev) => dev.PcieType switch
    {
        null => dev.HdrType switch
        {
            CommonHeader.HeaderTypeNormal => "conventional PCI endpoint",
            CommonHeader.HeaderTypeBridge => "conventional PCI bridge",
            2 => "CardBus bridge",
            _ => "conventional PCI",
        },
        PcieType.Endpoint => "PCIe Endpoint",
        PcieType.LegacyEndpoint => "PCIe Legacy Endpoint",
        PcieType.RootPort => "PCIe Root Port",
        PcieType.UpstreamPort => "PCIe Switch Upstream Port",
        PcieType.DownstreamPort => "PCIe Switch Downstream Port",
        PcieType.PcieToPciBridge => "PCIe to PCI/PCI-X bridge",
        PcieType.PciToPcieBridge => "PCI/PCI-X to PCIe bridge",
        PcieType.RcIntegratedEndpoint => "PCIe Root Complex Integrated Endpoint",
        PcieType.RcEventCollector => "PCIe Root Complex Event Collector",
        _ => "PCIe unknown",
    };

    /// <summary>set_pcie_port_type.</summary>
    private void SetPciePortType(PciDev dev)
    {
        dev.PcieCap = FindCapability(dev, CapabilityId.Express);
        if (dev.PcieCap == 0) return;
        var flags = Read16(dev, dev.PcieCap + PcieCap.Flags);
        dev.PcieType = (PcieType)((flags & PcieCap.FlagsTypeMask) >> PcieCap.FlagsTypeShift);
    }

    /// <summary>set_pcie_hotplug_bridge: Slot Capabilities HPC.</summary>
    private void SetPcieHotplugBridge(PciDev dev)
    {
        if (dev.PcieCap == 0) return;
        if ((Read16(dev, dev.PcieCap + PcieCap.Flags) & PcieCap.FlagsSlot) == 0) return;
        if ((Read32(dev, dev.PcieCap + PcieCap.SltCap) & PcieCap.SltCapHpc) != 0) dev.IsHotplugBridge = true;
    }

    /// <summary>pci_configure_extended_tags (from pci_configure_device): enable 8-bit tags where DevCap offers them.</summary>
    private void ConfigureExtendedTags(PciDev dev)
    {
        if (dev.PcieCap == 0 || (Read32(dev, dev.PcieCap + PcieCap.DevCap) & PcieCap.DevCapExtTag) == 0) return;
        var ctl = Read16(dev, dev.PcieCap + PcieCap.DevCtl);
        if ((ctl & PcieCap.DevCtlExtTag) != 0) return;
        Log.Dev(dev, "enabling Extended Tags");
        Write16(dev, dev.PcieCap + PcieCap.DevCtl, (ushort)(ctl | PcieCap.DevCtlExtTag));
    }

    /// <summary>pci_scan_bridge_extend: firmware-numbered bridges in pass 0, the rest numbered in pass 1.</summary>
    public int ScanBridgeExtend(PciBusNode bus, PciDev dev, int max, int available, int pass)
    {
        var buses = Read32(dev, Type1Header.PrimaryBus.Offset);
        var primary = (int)(buses & PciRegs.BusNumberMask);
        var secondary = (int)((buses >> PciRegs.SecondaryBusShift) & PciRegs.BusNumberMask);
        var subordinate = (int)((buses >> PciRegs.SubordinateBusShift) & PciRegs.BusNumberMask);
        var broken = pass == 0 && (primary != bus.Number || secondary <= bus.Number || secondary > subordinate);
        if (broken && (secondary != 0 || subordinate != 0))
            Log.Dev(dev, $"bridge configuration invalid ([bus {secondary:x2}-{subordinate:x2}]), reconfiguring");
        if ((secondary != 0 || subordinate != 0) && !broken)
        {
            if (pass != 0) return max;
            var child = Core.FindBus(secondary);
            if (child is null)
            {
                child = AddNewBus(bus, dev, secondary, (ulong)subordinate);
                BusInsertBusnRes(child);
            }
            var cmax = ScanChildBusExtend(child, subordinate - secondary);
            if (cmax > subordinate) Log.Dev(dev, $"bridge has subordinate {subordinate:x2} but max busn {cmax:x2}");
            CheckDevicesAccessible(bus, dev, child);
            return Math.Max(max, subordinate);
        }
        if (pass == 0)
        {
            if (broken) Write32(dev, Type1Header.PrimaryBus.Offset, buses & PciRegs.SecLatencyTimerMask);
            return max;
        }
        return NumberNewBridge(bus, dev, max, available);
    }

    /// <summary>pci_scan_bridge_extend pass 1: give a bridge max+1 and the parent's remaining range, then shrink.</summary>
    private int NumberNewBridge(PciBusNode bus, PciDev dev, int max, int available)
    {
        var next = max + 1;
        if (next > (int)bus.Busn.End)
        {
            Log.Dev(dev, "No bus number available for hot-added bridge");
            return max;
        }
        var child = Core.FindBus(next);
        if (child is null)
        {
            child = AddNewBus(bus, dev, next, bus.Busn.End);
            BusInsertBusnRes(child);
        }
        var sub = (uint)bus.Busn.End;
        Write32(dev, Type1Header.PrimaryBus.Offset,
            (Read32(dev, Type1Header.PrimaryBus.Offset) & PciRegs.SecLatencyTimerMask) | (uint)bus.Number
            | ((uint)next << PciRegs.SecondaryBusShift) | (sub << PciRegs.SubordinateBusShift));
        var cmax = ScanChildBusExtend(child, available);
        if (dev.IsHotplugBridge) cmax = Math.Max(cmax, Math.Min((int)bus.Busn.End, next + Math.Max(available, Options.HpBusSize - 1)));
        UpdateBusnResEnd(child, cmax);
        Write8(dev, Type1Header.SubordinateBus.Offset, (byte)cmax);
        CheckDevicesAccessible(bus, dev, child);
        return cmax;
    }

    /// <summary>pci_bus_insert_busn_res: the child's bus range goes into the parent's (a resource tree like iomem);
    /// a range outside the parent's or overlapping a sibling's stays out of the tree.</summary>
    private void BusInsertBusnRes(PciBusNode child)
    {
        if (child.Parent is not { } parent) return;
        var conflict = ResourceTree.RequestConflict(parent.Busn, child.Busn);
        if (conflict is not null) Log.Bus(child, $"busn_res: can not insert {child.Busn} under {parent.Busn} (conflicts with (null) {conflict})");
    }

    /// <summary>pci_scan_bridge_extend's "Check that all devices are accessible": the child's bus range must lie
    /// inside every non-root ancestor bus's range.</summary>
    private void CheckDevicesAccessible(PciBusNode bus, PciDev dev, PciBusNode child)
    {
        for (var b = bus; b.Parent is not null; b = b.Parent)
        {
            if (child.Busn.End > b.Busn.End || (ulong)child.Number > b.Busn.End || child.Number < b.Number || child.Busn.End < (ulong)b.Number)
            {
                Log.Dev(dev, $"devices behind bridge are unusable because {child.Busn} cannot be assigned for them");
                break;
            }
        }
    }

    /// <summary>pci_bus_update_busn_res_end: shrink the child's bus range to what the scan used.</summary>
    private void UpdateBusnResEnd(PciBusNode child, int busMax)
    {
        var old = child.Busn.Clone();
        child.Busn.End = (ulong)busMax;
        Log.Bus(child, $"busn_res: {old} end is updated to {busMax:x2}");
        if (child.Busn.Parent is null) BusInsertBusnRes(child);
    }

    /// <summary>pci_add_new_bus / pci_alloc_child_bus: the child bus, its ext-config check and pcibios_add_bus.</summary>
    private PciBusNode AddNewBus(PciBusNode parent, PciDev bridge, int number, ulong end)
    {
        var child = new PciBusNode(number, bridge, parent) { NoExtCfg = parent.NoExtCfg };
        child.Busn.End = end;
        for (var i = PciDev.BridgeIoWindow; i <= PciDev.BridgePrefWindow; i++) bridge.Resources[i].Name = $"PCI Bus {child.Name}";
        child.BridgeCtl = Read16(bridge, Type1Header.BridgeControl.Offset);
        bridge.Subordinate = child;
        if (!BridgeChildExtCfgAccessible(bridge))
        {
            child.NoExtCfg = true;
            Log.Bus(child, "extended config space not accessible");
        }
        Core.Acpiphp.AcpiphpEnumerateSlots(child);
        parent.Children.Add(child);
        return child;
    }

    /// <summary>pci_bridge_child_ext_cfg_accessible: PCIe ports yes; conventional and PCIe-to-PCI bridges no.</summary>
    private static bool BridgeChildExtCfgAccessible(PciDev bridge) =>
        bridge.PcieType is PcieType.RootPort or PcieType.UpstreamPort or PcieType.DownstreamPort;

    /// <summary>pci_hp_add_bridge: first free bus number in the parent's range, then both scan passes.</summary>
    public void HpAddBridge(PciBusNode parent, PciDev dev)
    {
        var end = (int)parent.Busn.End;
        var used = parent.Subtree().Select(b => b.Number).ToHashSet();
        var busnr = parent.Number + 1;
        while (busnr <= end && used.Contains(busnr)) busnr++;
        if (busnr > end)
        {
            Log.Dev(dev, "No bus number available for hot-added bridge");
            return;
        }
        var max = busnr - 1;
        max = ScanBridgeExtend(parent, dev, max, 0, 0);
        ScanBridgeExtend(parent, dev, max, end - busnr, 1);
    }
}
