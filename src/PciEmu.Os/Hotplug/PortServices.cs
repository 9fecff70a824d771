using System.Globalization;
using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>drivers/pci/pcie/portdrv.c and slot.c: boot-time binding of the port services (PME, AER, pciehp) and
/// shpchp, slot names, pci_enable_device.</summary>
internal sealed class PortServices(PciCore core) : PciCorePart(core)
{
    /// <summary>pci_create_slot for a new slot: make_slot_name, and the name is taken in the slots kset.</summary>
    public string RegisterSlotName(string name)
    {
        var candidate = MakeSlotName(name);
        Core.SlotNames.Add(candidate);
        return candidate;
    }

    /// <summary>make_slot_name: the name itself, else the first free of "N-1", "N-2", ….</summary>
    public string MakeSlotName(string name)
    {
        var candidate = name;
        for (var dup = 1; Core.SlotNames.Contains(candidate); dup++) candidate = $"{name}-{dup}";
        return candidate;
    }

    /// <summary>pcie_portdrv_probe for every PCIe port, then shpchp's probe for every SHPC bridge.</summary>
    public void BindPortDrivers()
    {
        Core.NextIrq = Facts.FirstPortIrq;
        foreach (var dev in Core.AllDevices().Where(d => d.PcieType is PcieType.RootPort or PcieType.UpstreamPort or PcieType.DownstreamPort))
        {
            dev.Driver = "pcieport";
            EnableDevice(dev);
            var irq = Core.NextIrq++;
            if (dev.PcieType == PcieType.RootPort)
            {
                Log.Dev(dev, $"PME: Signaling with IRQ {irq}");
                if (dev.HasAer && Facts.OscGrantsAer) Log.Dev(dev, $"AER: enabled with IRQ {irq}");
            }
            if (Core.Pciehp.PciehpOwns(dev))
            {
                Log.Dev(dev, $"pciehp: {Core.Pciehp.SlotCapsLine(dev)}");
                // init_slot → pci_hp_register: the slot is named after the Physical Slot Number (make_slot_name).
                Core.Pciehp._pciehpSlotNames[dev] = RegisterSlotName(Core.Pciehp.PhysicalSlotNumber(dev));
            }
        }
        foreach (var dev in Core.AllDevices().Where(d => d.IsBridge && d.ShpcCap != 0)) Core.ShpchpCore.ShpcProbe(dev);
        Log.Raw("shpchp: Standard Hot Plug PCI Controller Driver version: 0.4");
    }

    /// <summary>pci_enable_device → pci_enable_resources: turn on the decode the assigned resources need.</summary>
    public void EnableDevice(PciDev dev)
    {
        var old = Read16(dev, CommonHeader.Command.Offset);
        var cmd = old;
        for (var i = 0; i < PciDev.NumResources; i++)
        {
            var r = dev.Resources[i];
            if (!r.Flags.Any(ResFlags.Io | ResFlags.Mem) || !r.IsAssigned) continue;
            if (i == PciDev.RomResource && !r.Flags.Any(ResFlags.RomEnable)) continue;
            if (!dev.IsBridge && i >= PciDev.BridgeResources) continue;
            cmd |= r.Flags.Any(ResFlags.Io) ? (ushort)CommandBits.Io : (ushort)CommandBits.Memory;
        }
        if (cmd != old)
        {
            Log.Dev(dev, string.Create(CultureInfo.InvariantCulture, $"enabling device ({old:x4} -> {cmd:x4})"));
            Write16(dev, CommonHeader.Command.Offset, cmd);
        }
        dev.Enabled = true;
    }
}
