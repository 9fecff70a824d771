using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

internal sealed partial class PciBus
{
    private const int PciMaxDevice = 31;
    private const int PciMaxFunc = 7;
    private const int HeaderDwords = 16;

    /// <summary>
    /// PciHostBridgeEnumerator (PciLib.c): bus numbers twice (first scan, reset, second scan, as OVMF/ArmVirt install
    /// the hot-plug protocol), then the device-information pass that builds the tree the allocator uses.
    /// </summary>
    private bool PciHostBridgeEnumerator()
    {
        _log.Debug("PCI Bus First Scanning");
        if (!PciRootBridgeEnumerator(CreateRootBridge())) return false;
        ResetAllPpbBusNumber(CreateRootBridge(), _host.Description.BusStart);
        _log.Debug("PCI Bus Second Scanning");
        if (!PciRootBridgeEnumerator(CreateRootBridge())) return false;
        var root = CreateRootBridge();
        PciPciDeviceInfoCollector(root, _host.Description.BusStart);
        foreach (var dev in AllDevices(root)) DetermineDeviceAttribute(dev);
        RootBridge = root;
        return true;
    }

    /// <summary>CreateRootBridge (PciLib.c): the root bridge's device object with the host bridge's decodes.</summary>
    private PciIoDevice CreateRootBridge() => new(new Bdf(_host.Description.BusStart, 0, 0), 0, 0, 0, isRootBridge: true)
    {
        Decodes = _host.RootBridgeDecodes,
    };

    /// <summary>PciRootBridgeEnumerator (PciLib.c): reset bus registers, scan from the range start, SetBusNumbers.</summary>
    private bool PciRootBridgeEnumerator(PciIoDevice root)
    {
        var start = _host.Description.BusStart;
        var subBus = start;
        ResetAllPpbBusNumber(root, start);
        if (!PciScanBus(root, start, ref subBus))
        {
            _log.Debug("PciBus: Root bridge bus numbering failed (out of bus numbers)");
            return false;
        }
        _host.SetBusNumbers(start, subBus);
        return true;
    }

    /// <summary>ResetAllPpbBusNumber (PciLib.c): depth first through the current secondaries, keep only the latency byte.</summary>
    private void ResetAllPpbBusNumber(PciIoDevice bridge, int startBus)
    {
        for (var device = 0; device <= PciMaxDevice; device++)
        {
            for (var func = 0; func <= PciMaxFunc; func++)
            {
                var bdf = new Bdf(startBus, device, func);
                if (PciDevicePresent(bdf) is not { } header)
                {
                    if (func == 0) break;
                    continue;
                }
                if ((header & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge)
                {
                    var register = _cfg.Read32(bdf, Type1Header.PrimaryBus.Offset);
                    var secondary = (int)((register >> 8) & 0xff);
                    if (secondary != 0 && secondary > startBus) ResetAllPpbBusNumber(bridge, secondary);
                    _cfg.Write32(bdf, Type1Header.PrimaryBus.Offset, register & 0xff000000);
                }
                if (func == 0 && (header & CommonHeader.HeaderTypeMultifunction) == 0) break;
            }
        }
    }

    /// <summary>
    /// PciDevicePresent (PciEnumeratorSupport.c): vendor ID not 0xFFFF, then the 64-byte header read as dwords.
    /// Returns the header type byte, or null when nothing answers.
    /// </summary>
    private byte? PciDevicePresent(Bdf bdf)
    {
        var id = _cfg.Read32(bdf, CommonHeader.VendorId.Offset);
        if ((id & 0xffff) == 0xffff) return null;
        uint hdrDword = 0;
        for (var i = 1; i < HeaderDwords; i++)
        {
            var v = _cfg.Read32(bdf, i * 4);
            if (i * 4 == (CommonHeader.CacheLineSize.Offset & ~3)) hdrDword = v;
        }
        return (byte)(hdrDword >> 16);
    }

    /// <summary>PciGetMaxBusNumber: the end of the root bridge's bus range.</summary>
    private int PciGetMaxBusNumber() => _host.Description.BusEnd;

    /// <summary>
    /// PciAllocateBusNumber (PciLib.c): start + count inside the root range. 202211 computed in UINT8 (0xFF + 1 wraps
    /// to 0 and "fits"); b220ba807e (202608) widened it to UINT16.
    /// </summary>
    private bool PciAllocateBusNumber(int startBus, int count, out int next)
    {
        var end = PciGetMaxBusNumber();
        next = _options.Version == Edk2Version.Stable202211 ? (byte)(startBus + count) : (ushort)(startBus + count);
        if (startBus < _host.Description.BusStart || startBus > end) return false;
        return next <= end;
    }

    /// <summary>
    /// PciScanBus (PciLib.c): depth-first numbering; a hot-plug bridge's GetResourcePadding may add bus padding
    /// (subordinate = max(deepest bus, secondary + N)).
    /// </summary>
    private bool PciScanBus(PciIoDevice bridge, int startBus, ref int subBus)
    {
        for (var device = 0; device <= PciMaxDevice; device++)
        {
            for (var func = 0; func <= PciMaxFunc; func++)
            {
                var bdf = new Bdf(startBus, device, func);
                if (PciDevicePresent(bdf) is not { } header)
                {
                    if (func == 0) break;
                    continue;
                }
                var dev = PciSearchDevice(bridge, bdf, header);
                if (dev.IsPciBridge)
                {
                    ulong? busPad = null;
                    if (_options.PcdPciBusHotplugDeviceSupport && _hotPlug.IsPciHotPlugBus(dev))
                    {
                        var bus = _hotPlug.GetResourcePadding(bdf).FirstOrDefault(d => d.ResType == PaddingResourceType.Bus);
                        if (bus is not null) busPad = bus.AddrLen;
                    }
                    if (!PciAllocateBusNumber(subBus, 1, out subBus)) return false;
                    var secondary = subBus;
                    _cfg.Write16(bdf, Type1Header.PrimaryBus.Offset, (ushort)((secondary << 8) | startBus));
                    _cfg.Write8(bdf, Type1Header.SubordinateBus.Offset, (byte)PciGetMaxBusNumber());
                    if (!PciScanBus(dev, secondary, ref subBus)) return false;
                    if (busPad is { } pad)
                    {
                        if (!PciAllocateBusNumber(secondary, (byte)pad, out var padded)) return false;
                        subBus = Math.Max(padded, subBus);
                    }
                    _cfg.Write8(bdf, Type1Header.SubordinateBus.Offset, (byte)subBus);
                }
                if (func == 0 && (header & CommonHeader.HeaderTypeMultifunction) == 0) break;
            }
        }
        return true;
    }

    /// <summary>
    /// PciPciDeviceInfoCollector (PciEnumerator.c): the third walk, following the secondary numbers already written;
    /// builds the device tree (BARs, padding) the allocator works on.
    /// </summary>
    private void PciPciDeviceInfoCollector(PciIoDevice bridge, int startBus)
    {
        for (var device = 0; device <= PciMaxDevice; device++)
        {
            for (var func = 0; func <= PciMaxFunc; func++)
            {
                var bdf = new Bdf(startBus, device, func);
                if (PciDevicePresent(bdf) is not { } header)
                {
                    if (func == 0) break;
                    continue;
                }
                var dev = PciSearchDevice(bridge, bdf, header);
                if (dev.IsPciBridge)
                {
                    var secondary = _cfg.Read8(bdf, Type1Header.SecondaryBus.Offset);
                    GetResourcePaddingPpb(dev);
                    if (secondary > startBus) PciPciDeviceInfoCollector(dev, secondary);
                }
                if (func == 0 && (header & CommonHeader.HeaderTypeMultifunction) == 0) break;
            }
        }
    }
}
