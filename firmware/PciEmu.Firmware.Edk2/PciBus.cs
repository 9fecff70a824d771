using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

/// <summary>
/// MdeModulePkg/Bus/Pci/PciBusDxe as ArmVirtQemu runs it at BDS connect: full enumeration of the host bridge
/// (PciEnumerator), then StartPciDevices. Split over partial files by upstream source file: PciLib/PciEnumerator
/// (this file and PciBus.Scan.cs), PciEnumeratorSupport (PciBus.Device.cs), PciResourceSupport (PciBus.Resources.cs).
/// </summary>
internal sealed partial class PciBus
{
    private readonly IConfigAccessor _cfg;
    private readonly Edk2Options _options;
    private readonly Edk2Log _log;
    private readonly PciHotPlugInit _hotPlug;
    private readonly PciHostBridge _host;

    /// <summary>EFI_PCI_COMMAND_BITS_OWNED: I/O, memory, bus master, MWI, VGA snoop, fast back-to-back.</summary>
    private const ushort CommandBitsOwned = (ushort)(CommandBits.Io | CommandBits.Memory | CommandBits.BusMaster) | 0x0010 | 0x0020 | 0x0200;

    /// <summary>EFI_PCI_BRIDGE_CONTROL_BITS_OWNED: ISA, VGA, VGA16, fast back-to-back.</summary>
    private const ushort BridgeControlBitsOwned = 0x0004 | 0x0008 | 0x0010 | 0x0080;

    /// <summary>EFI_PCI_DEVICE_ENABLE: I/O, memory, bus master.</summary>
    private const ushort DeviceEnable = (ushort)(CommandBits.Io | CommandBits.Memory | CommandBits.BusMaster);

    /// <summary>The VGA palette snoop command bit DetermineDeviceAttribute test-writes.</summary>
    private const ushort VgaPaletteSnoop = 0x0020;

    public PciBus(IConfigAccessor cfg, Edk2Options options, Edk2Log log, PciHostBridge host)
    {
        _cfg = cfg;
        _options = options;
        _log = log;
        _host = host;
        _hotPlug = new PciHotPlugInit(cfg, options);
    }

    /// <summary>The device tree of the last pass (root bridge first).</summary>
    public PciIoDevice? RootBridge { get; private set; }

    /// <summary>True when enumeration failed as a whole (bus numbers out of range, no resources at all).</summary>
    public bool Failed { get; private set; }

    /// <summary>
    /// PciEnumerator (PciEnumerator.c): bus numbering (PciHostBridgeEnumerator), resource allocation
    /// (PciHostBridgeResourceAllocator), then attributes; StartPciDevices (PciBus.c) enables the bridges.
    /// </summary>
    public void PciEnumerator()
    {
        _host.NotifyPhaseBeginEnumeration();
        if (!PciHostBridgeEnumerator())
        {
            Failed = true;
            return;
        }
        if (!PciHostBridgeResourceAllocator())
        {
            Failed = true;
            return;
        }
        _host.NotifyPhaseEndEnumeration();
        StartPciDevices(RootBridge!);
    }

    private static IEnumerable<PciIoDevice> AllDevices(PciIoDevice bridge)
    {
        foreach (var c in bridge.ChildList)
        {
            yield return c;
            foreach (var g in AllDevices(c)) yield return g;
        }
    }

    /// <summary>
    /// DetermineDeviceAttribute (PciEnumeratorSupport.c): test-write IO|MEM|BM|VGA snoop to learn what the command
    /// register supports, restore the old value (the Supports attribute is what StartPciDevices may enable).
    /// </summary>
    private void DetermineDeviceAttribute(PciIoDevice dev)
    {
        var old = _cfg.Read16(dev.Bdf, CommonHeader.Command.Offset);
        _cfg.Write16(dev.Bdf, CommonHeader.Command.Offset, (ushort)(old | DeviceEnable | VgaPaletteSnoop));
        var supported = _cfg.Read16(dev.Bdf, CommonHeader.Command.Offset);
        _cfg.Write16(dev.Bdf, CommonHeader.Command.Offset, old);
        dev.SupportedCommand = (ushort)(supported & (DeviceEnable | VgaPaletteSnoop));
    }

    /// <summary>PCI_INT_LINE_UNKNOWN: RegisterPciDevice's "Unknown or No Connection".</summary>
    private const byte PciIntLineUnknown = 0xff;

    /// <summary>
    /// StartPciDevices / RegisterPciDevice (PciDeviceSupport.c): every function's interrupt line is forced to
    /// PCI_INT_LINE_UNKNOWN when its PciIo is installed, and every PPB is enabled with EFI_PCI_DEVICE_ENABLE ∩ Supports.
    /// Endpoints keep a cleared command register on ArmVirt unless a UEFI driver binds.
    /// </summary>
    private void StartPciDevices(PciIoDevice bridge)
    {
        foreach (var dev in bridge.ChildList)
        {
            _cfg.Write8(dev.Bdf, CommonHeader.InterruptLine.Offset, PciIntLineUnknown);
            if (dev.IsPciBridge)
            {
                var cmd = _cfg.Read16(dev.Bdf, CommonHeader.Command.Offset);
                _cfg.Write16(dev.Bdf, CommonHeader.Command.Offset, (ushort)(cmd | (DeviceEnable & dev.SupportedCommand)));
            }
            StartPciDevices(dev);
        }
    }
}
