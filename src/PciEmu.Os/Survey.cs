using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>drivers/pci/setup-res.c claims and arch/x86/pci/i386.c pcibios_resource_survey.</summary>
internal sealed class Survey(PciCore core) : PciCorePart(core)
{
    /// <summary>pci_find_parent_resource: the bus window that contains the resource.</summary>
    public static Resource? FindParentResource(PciDev dev, Resource res)
    {
        foreach (var r in dev.Bus.Resources)
        {
            if (r.Flags == ResFlags.None || !r.Contains(res)) continue;
            if (r.Flags.Any(ResFlags.Prefetch) && !res.Flags.Any(ResFlags.Prefetch)) return null;
            return r;
        }
        return null;
    }

    /// <summary>pci_claim_resource.</summary>
    public int ClaimResource(PciDev dev, int i)
    {
        var res = dev.Resources[i];
        var name = PciCore.ResName(dev, i);
        if (res.Flags.Any(ResFlags.Unset))
        {
            Log.Dev(dev, $"{name} {res}: can't claim; no address assigned");
            return Errno.EInval;
        }
        var root = FindParentResource(dev, res);
        if (root is null)
        {
            Log.Dev(dev, $"{name} {res}: can't claim; no compatible bridge window");
            res.Flags |= ResFlags.Unset;
            return Errno.EInval;
        }
        var conflict = ResourceTree.RequestConflict(root, res);
        if (conflict is not null)
        {
            Log.Dev(dev, $"{name} {res}: can't claim; address conflict with {conflict.Name} {conflict}");
            res.Flags |= ResFlags.Unset;
            return Errno.EBusy;
        }
        return 0;
    }

    /// <summary>pcibios_resource_survey: windows depth first, then BARs of enabled devices, then of disabled ones.</summary>
    public void ResourceSurvey()
    {
        AllocateBusResources(Core.Root!);
        AllocateResources(Core.Root!, 0);
        AllocateResources(Core.Root!, 1);
    }

    /// <summary>pcibios_resource_survey_bus: the survey for a bus that appeared at run time (acpiphp).</summary>
    public void ResourceSurveyBus(PciBusNode bus)
    {
        Log.Bus(bus, "Allocating resources");
        AllocateBusResources(bus);
        AllocateResources(bus, 0);
        AllocateResources(bus, 1);
    }

    /// <summary>pcibios_allocate_bus_resources + pcibios_allocate_bridge_resources.</summary>
    private void AllocateBusResources(PciBusNode bus)
    {
        if (bus.Self is { } dev)
        {
            for (var idx = PciDev.BridgeResources; idx < PciDev.NumResources; idx++)
            {
                var r = dev.Resources[idx];
                if (r.Flags == ResFlags.None || r.IsAssigned) continue;
                if (r.Start == 0 || ClaimBridgeResource(dev, idx) < 0) r.Reset();
            }
        }
        foreach (var c in bus.Children) AllocateBusResources(c);
    }

    /// <summary>pci_claim_bridge_resource (clipping not needed for QEMU layouts: a failed claim invalidates).</summary>
    private int ClaimBridgeResource(PciDev dev, int i) => ClaimResource(dev, i);

    /// <summary>pcibios_allocate_resources.</summary>
    private void AllocateResources(PciBusNode bus, int pass)
    {
        foreach (var dev in bus.Devices)
        {
            AllocateDevResources(dev, pass);
            if (dev.Subordinate is { } child) AllocateResources(child, pass);
        }
    }

    /// <summary>pcibios_allocate_dev_resources.</summary>
    private void AllocateDevResources(PciDev dev, int pass)
    {
        var command = Read16(dev, CommonHeader.Command.Offset);
        for (var idx = 0; idx <= PciDev.RomResource; idx++)
        {
            var r = dev.Resources[idx];
            if (r.IsAssigned || r.Start == 0 || r.Flags == ResFlags.None) continue;
            var disabled = r.Flags.Any(ResFlags.Io) ? (command & (ushort)CommandBits.Io) == 0 : (command & (ushort)CommandBits.Memory) == 0;
            if (pass != (disabled ? 1 : 0)) continue;
            if (ClaimResource(dev, idx) >= 0) continue;
            if (r.Flags.Any(ResFlags.PciFixed))
            {
                Log.Dev(dev, $"{PciCore.ResName(dev, idx)} {r}: is immovable");
                continue;
            }
            dev.FwAddr[idx] = r.Start;
            r.End -= r.Start;
            r.Start = 0;
        }
        if (pass != 0) return;
        var rom = dev.Resources[PciDev.RomResource];
        if (!rom.Flags.Any(ResFlags.RomEnable)) return;
        rom.Flags &= ~ResFlags.RomEnable;
        var reg = Read32(dev, dev.RomBaseReg);
        Write32(dev, dev.RomBaseReg, reg & ~BarBits.RomEnable);
    }

    /// <summary>pci_bus_claim_resources (arm64 with preserve_config): read and claim every window depth first, then
    /// claim every BAR that has flags (address-0 BARs fail and become UNSET, to be assigned later).</summary>
    public void BusClaimResources()
    {
        ClaimBridgeWindows(Core.Root!);
        foreach (var dev in Core.AllDevices())
        {
            for (var idx = 0; idx < PciDev.BridgeResources; idx++)
            {
                var r = dev.Resources[idx];
                if (r.Flags == ResFlags.None || r.IsAssigned) continue;
                ClaimResource(dev, idx);
            }
        }
    }

    /// <summary>pci_bus_allocate_resources.</summary>
    private void ClaimBridgeWindows(PciBusNode bus)
    {
        if (bus.Self is { } dev)
        {
            Core.ProbeBases.ReadBridgeBases(bus);
            for (var idx = PciDev.BridgeResources; idx <= PciDev.BridgePrefWindow; idx++)
            {
                var r = dev.Resources[idx];
                if (r.Flags != ResFlags.None && !r.IsAssigned) ClaimBridgeResource(dev, idx);
            }
        }
        foreach (var c in bus.Children) ClaimBridgeWindows(c);
    }
}
