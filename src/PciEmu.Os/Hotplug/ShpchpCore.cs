using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Hotplug;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using static PciEmu.Os.Hotplug.ShpcRegs;

namespace PciEmu.Os;

/// <summary>drivers/pci/hotplug/shpchp_core.c: probe (OSC/OSHP, shpc_init, init_slots), release, and the interrupt
/// entry.</summary>
internal sealed class ShpchpCore(PciCore core) : PciCorePart(core)
{
    /// <summary>The bound SHPC controllers (pci_get_drvdata of shpchp-bound bridges).</summary>
    public readonly Dictionary<PciDev, ShpcController> _shpc = [];

    /// <summary>True when shpchp is bound to the bridge (pdev->shpc_managed).</summary>
    public bool ShpchpOwns(PciDev bridge) => _shpc.ContainsKey(bridge);

    /// <summary>shpc_probe: class match, firmware hand-over, shpc_init, init_slots.</summary>
    public void ShpcProbe(PciDev dev)
    {
        if (dev.Class != PciClassBridgePciNormal) return;
        dev.Driver = ShpchpName;
        if (!AcpiGetHpHwControlFromFirmware(dev) || dev.Subordinate is null || Core.ShpchpHpc.ShpcInit(dev) is not { } ctrl)
        {
            dev.Driver = null;
            return;
        }
        if (!InitSlots(ctrl))
        {
            Log.Dev(dev, "Slot initialization failed");
            ShpchpReleaseCtlr(ctrl);
            dev.Driver = null;
            return;
        }
        _shpc[dev] = ctrl;
    }

    /// <summary>acpi_get_hp_hw_control_from_firmware: _OSC decides when present; without _OSC, OSHP must succeed. The
    /// walk starts at the bridge's ACPI companion (else the companion of the nearest bus above that has one) and goes up
    /// to the root bridge, one line per object; QEMU implements no OSHP, so every step fails.</summary>
    private bool AcpiGetHpHwControlFromFirmware(PciDev dev)
    {
        if (Facts.HasOsc) return Facts.OscGrantsShpcHotplug;
        var handle = AcpiHandle(dev);
        for (var bus = dev.Bus; handle is null && bus is not null; bus = bus.Parent)
            handle = bus.Self is { } self ? AcpiHandle(self) : Facts.RootAcpiPath;
        while (handle is not null)
        {
            Log.Dev(dev, $"Requesting control of SHPC hotplug via OSHP ({handle})");
            if (handle == Facts.RootAcpiPath) break;
            var dot = handle.LastIndexOf('.');
            handle = dot > 0 ? handle[..dot] : null;
        }
        Log.Dev(dev, "Cannot get control of SHPC hotplug");
        return false;
    }

    /// <summary>ACPI_HANDLE(&amp;dev->dev) (acpi_pci_find_companion): the _ADR child of the bus's companion that names the
    /// function. Without a namespace model, root-bus devices are \PCI0.Sxx_ as QEMU names them.</summary>
    private string? AcpiHandle(PciDev dev)
    {
        if (Facts.AcpiRoot is null) return dev.Bus.IsRoot ? $"{Facts.RootAcpiPath}.S{dev.Bdf.DevFn:X2}_" : null;
        return Core.Acpiphp.AcpiCompanion(dev)?.Path;
    }

    /// <summary>pci_setup_device for a bridge: subsystem IDs come from the SSVID capability, if any.</summary>
    public (ushort Vendor, ushort Device) SubsystemIds(PciDev dev)
    {
        const int ssvidVendor = 4;
        const int ssvidDevice = 6;
        var pos = FindCapability(dev, CapabilityId.SubsystemVendor);
        return pos == 0 ? ((ushort)0, (ushort)0) : (Read16(dev, pos + ssvidVendor), Read16(dev, pos + ssvidDevice));
    }

    /// <summary>pci_set_master: Bus Master on in the Command register.</summary>
    public void SetMaster(PciDev dev)
    {
        var cmd = Read16(dev, CommonHeader.Command.Offset);
        if ((cmd & (ushort)CommandBits.BusMaster) == 0) Write16(dev, CommonHeader.Command.Offset, (ushort)(cmd | (ushort)CommandBits.BusMaster));
    }

    /// <summary>__request_region: nest into the resource that fully contains the range (the BAR), fail on overlap.</summary>
    public static bool RequestRegion(Resource root, Resource region)
    {
        var parent = root;
        while (true)
        {
            var conflict = ResourceTree.RequestConflict(parent, region);
            if (conflict is null) return true;
            if (conflict == parent || conflict.Start > region.Start || conflict.End < region.End) return false;
            parent = conflict;
        }
    }

    /// <summary>init_slots: one hot-plug slot per SHPC slot; pci_hp_register fails with -EBUSY where acpiphp already
    /// registered a hot-plug slot for the same bus/device.</summary>
    private bool InitSlots(ShpcController ctrl)
    {
        var bus = ctrl.Bridge.Subordinate!;
        var acpiSlots = Core.Acpiphp.EjectableSlots(bus);
        for (var i = 0; i < ctrl.NumSlots; i++)
        {
            var device = ctrl.SlotDeviceOffset + i;
            var number = ctrl.FirstSlot + ctrl.SlotNumInc * i;
            if (acpiSlots.Contains(device))
            {
                Log.Dev(ctrl.Bridge, $"pci_hp_register failed with error {Errno.EBusy}");
                return false;
            }
            var name = Core.PortServices.RegisterSlotName(number.ToString(CultureInfo.InvariantCulture));
            var slot = new ShpcSlot(i, device, number, name);
            slot.PowerSave = Core.ShpchpHpc.ShpcGetPowerStatus(ctrl, slot) != 0;
            slot.PresenceSave = Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot);
            ctrl.Slots.Add(slot);
        }
        return true;
    }

    /// <summary>shpchp_release_ctlr: mask every slot event and SERR, drop the slots and the register window.</summary>
    private void ShpchpReleaseCtlr(ShpcController ctrl)
    {
        for (var hp = 0; hp < ctrl.NumSlots; hp++)
        {
            var reg = Core.ShpchpHpc.ShpcSlotReg(ctrl, hp) | SlotEventIntrMasks | MrlChangeSerrMask | ConPfaultSerrMask;
            Core.ShpchpHpc.ShpcWrite(ctrl, ShpcSlot1Index + hp, reg & ~SlotRegRsvdzMask);
        }
        foreach (var slot in ctrl.Slots) Core.SlotNames.Remove(slot.Name);
        ctrl.Slots.Clear();
        var serr = Core.ShpchpHpc.ShpcRead(ctrl, ShpcSerrIntrIndex) | GlobalIntrMask | GlobalSerrMask | CommandIntrMask | ArbiterSerrMask;
        Core.ShpchpHpc.ShpcWrite(ctrl, ShpcSerrIntrIndex, serr & ~SerrIntrRsvdzMask);
        if (ctrl.MmioRegion is { } r) ResourceTree.Release(r);
    }

    /// <summary>The SHPC interrupt after the platform latched slot events: ISR, work queue, pushbutton work.</summary>
    public (List<PciDev> Added, List<PciDev> Removed) ShpchpInterrupt(PciDev bridge)
    {
        var added = new List<PciDev>();
        var removed = new List<PciDev>();
        if (!_shpc.TryGetValue(bridge, out var ctrl)) return (added, removed);
        Core.ShpchpHpc.ShpcIsr(ctrl);
        Core.ShpchpCtrl.ShpcRunWork(ctrl, added, removed);
        return (added, removed);
    }
}
