using PciEmu.Fabric.FirmwareTables;
using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>Boot-time driver binding that logs PCI lines: acpiphp slots, pcieport services (PME, AER, pciehp), shpchp.</summary>
internal sealed partial class PciCore
{
    private const uint SltCapAttnButton = 1 << 0;
    private const uint SltCapPowerCtrl = 1 << 1;
    private const uint SltCapMrl = 1 << 2;
    private const uint SltCapAttnInd = 1 << 3;
    private const uint SltCapPowerInd = 1 << 4;
    private const uint SltCapSurprise = 1 << 5;
    private const uint SltCapInterlock = 1 << 17;
    private const uint SltCapNoCmdCompl = 1 << 18;
    private const int SltCapPsnShift = 19;
    private const uint LnkCapDllActiveReporting = 1 << 20;

    /// <summary>acpi_pci_add_bus (via pcibios_add_bus): acpi_pci_slot_enumerate creates a pci_slot named after _SUN for
    /// every _SUN object of the bus (register_slot → pci_create_slot without a hot-plug slot, so make_slot_name may
    /// suffix it), then acpiphp_enumerate_slots registers the ejectable ones (acpiphp_add_context → pci_hp_register),
    /// which finds that pci_slot and renames it to the _SUN name (rename_slot → make_slot_name while the old name is
    /// still taken). QEMU's _SUN is the device number.</summary>
    private void AcpiphpEnumerateSlots(PciBusNode bus)
    {
        var slots = EjectableSlots(bus);
        var created = new List<(string Sun, string Name)>();
        foreach (var slot in slots.Distinct())
        {
            var sun = slot.ToString(CultureInfo.InvariantCulture);
            created.Add((sun, RegisterSlotName(sun)));
        }
        foreach (var (sun, name) in created)
        {
            var final = name;
            if (name != sun)
            {
                final = MakeSlotName(sun);
                SlotNames.Remove(name);
                SlotNames.Add(final);
            }
            Log.Raw($"acpiphp: Slot [{final}] registered");
        }
    }

    /// <summary>ACPI_HANDLE(bus->bridge): the host bridge's scope for the root bus, else the bridge's companion's
    /// children (acpi_pci_find_companion: the object whose _ADR names the bridge in its parent's scope).</summary>
    public AcpiPciScope? AcpiScopeOf(PciBusNode bus) => bus.Self is { } self ? AcpiCompanion(self)?.Children : Facts.AcpiRoot;

    /// <summary>ACPI_COMPANION(&amp;dev->dev): the _ADR object of the function in its bus's scope.</summary>
    public AcpiPciObject? AcpiCompanion(PciDev dev) =>
        AcpiScopeOf(dev.Bus)?.Objects.FirstOrDefault(o => o.Device == dev.Bdf.Device && o.Function == dev.Bdf.Function);

    /// <summary>The device numbers with _SUN/_EJ0 below the bus (the platform's per-number list without a namespace model).</summary>
    public IReadOnlyList<int> EjectableSlots(PciBusNode bus)
    {
        if (Facts.AcpiRoot is null) return Facts.AcpiSlots.TryGetValue(bus.Number, out var s) ? s : [];
        return AcpiScopeOf(bus) is { } scope ? scope.Objects.Where(o => o.Ejectable).Select(o => o.Device).Distinct().ToList() : [];
    }

    /// <summary>pci_create_slot for a new slot: make_slot_name, and the name is taken in the slots kset.</summary>
    private string RegisterSlotName(string name)
    {
        var candidate = MakeSlotName(name);
        SlotNames.Add(candidate);
        return candidate;
    }

    /// <summary>make_slot_name: the name itself, else the first free of "N-1", "N-2", ….</summary>
    private string MakeSlotName(string name)
    {
        var candidate = name;
        for (var dup = 1; SlotNames.Contains(candidate); dup++) candidate = $"{name}-{dup}";
        return candidate;
    }

    /// <summary>True when pciehp owns the port (is_hotplug_bridge and _OSC granted native hot-plug).</summary>
    public bool PciehpOwns(PciDev port) => port.IsHotplugBridge && Facts.OscGrantsPcieHotplug && port.IsPcieDownstreamPort
        && port.PcieType != PcieType.PcieToPciBridge;

    /// <summary>pcie_portdrv_probe for every PCIe port, then shpchp's probe for every SHPC bridge.</summary>
    public void BindPortDrivers()
    {
        NextIrq = Facts.FirstPortIrq;
        foreach (var dev in AllDevices().Where(d => d.PcieType is PcieType.RootPort or PcieType.UpstreamPort or PcieType.DownstreamPort))
        {
            dev.Driver = "pcieport";
            EnableDevice(dev);
            var irq = NextIrq++;
            if (dev.PcieType == PcieType.RootPort)
            {
                Log.Dev(dev, $"PME: Signaling with IRQ {irq}");
                if (dev.HasAer && Facts.OscGrantsAer) Log.Dev(dev, $"AER: enabled with IRQ {irq}");
            }
            if (PciehpOwns(dev))
            {
                Log.Dev(dev, $"pciehp: {SlotCapsLine(dev)}");
                // init_slot → pci_hp_register: the slot is named after the Physical Slot Number (make_slot_name).
                _pciehpSlotNames[dev] = RegisterSlotName(PhysicalSlotNumber(dev));
            }
        }
        foreach (var dev in AllDevices().Where(d => d.IsBridge && d.ShpcCap != 0)) ShpcProbe(dev);
        Log.Raw("shpchp: Standard Hot Plug PCI Controller Driver version: 0.4");
    }

    /// <summary>pciehp's slot banner (pcie_init).</summary>
    private string SlotCapsLine(PciDev dev)
    {
        var slt = Read32(dev, dev.PcieCap + PcieSltCapOffset);
        var lnk = Read32(dev, dev.PcieCap + PcieLnkCapOffset);
        static char F(bool b) => b ? '+' : '-';
        return $"Slot #{slt >> SltCapPsnShift} AttnBtn{F((slt & SltCapAttnButton) != 0)} PwrCtrl{F((slt & SltCapPowerCtrl) != 0)} "
            + $"MRL{F((slt & SltCapMrl) != 0)} AttnInd{F((slt & SltCapAttnInd) != 0)} PwrInd{F((slt & SltCapPowerInd) != 0)} "
            + $"HotPlug{F((slt & SltCapHpc) != 0)} Surprise{F((slt & SltCapSurprise) != 0)} Interlock{F((slt & SltCapInterlock) != 0)} "
            + $"NoCompl{F((slt & SltCapNoCmdCompl) != 0)} IbPresDis- LLActRep{F((lnk & LnkCapDllActiveReporting) != 0)}";
    }

    private readonly Dictionary<PciDev, string> _pciehpSlotNames = [];

    /// <summary>The name pciehp registered for the port's slot (slot_name: the kset name, "N" or "N-1", …).</summary>
    public string PciehpSlotName(PciDev port) => _pciehpSlotNames.TryGetValue(port, out var n) ? n : PhysicalSlotNumber(port);

    /// <summary>Slot Capabilities' Physical Slot Number, the name pciehp asks for.</summary>
    private string PhysicalSlotNumber(PciDev port) =>
        (Read32(port, port.PcieCap + PcieSltCapOffset) >> SltCapPsnShift).ToString(CultureInfo.InvariantCulture);

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

    /// <summary>PCI_DEVFN.</summary>
    public static int DevFn(int slot, int fn) => (slot << PciRegs.DevFnShift) | fn;
}
