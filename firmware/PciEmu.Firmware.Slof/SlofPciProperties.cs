using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.Slof;

/// <summary>slof/fs/pci-properties.fs and pci-scan.fs: BAR sizing and assignment, bridge windows, the properties.</summary>
internal sealed partial class SlofPhb
{
    private const ulong OneMiB = 0x100000;
    private const ulong FourGiB = 0x100000000;
    private const ulong TwoGiB = 0x80000000;
    private const ulong FourKiB = 0x1000;
    private const ulong TwoKiB = 0x800;
    private const uint AssignedIo = 0x81000000;
    private const uint AssignedMem32 = 0x82000000;
    private const uint AssignedPMem32 = 0xC2000000;
    private const uint AssignedPMem64 = 0xC3000000;

    private enum BarCode { Invalid = 0, Io = 1, Mem32 = 2, PMem32 = 3, Mem64 = 4, PMem64 = 5 }

    /// <summary>pci-bar-code@: the BAR type from the register's low bits.</summary>
    private BarCode PciBarCode(Bdf d, int bar)
    {
        var v = L(d, bar);
        if ((v & 1) != 0) return (v & 2) != 0 ? BarCode.Invalid : BarCode.Io;
        return (v & 0xf) switch { 0 => BarCode.Mem32, 8 => BarCode.PMem32, 4 => BarCode.Mem64, 0xc => BarCode.PMem64, _ => BarCode.Invalid };
    }

    /// <summary>pci-bar-size: the raw value read back after writing all ones, the original restored.</summary>
    private ulong PciBarSize(Bdf d, int bar)
    {
        var original = L(d, bar);
        L(d, bar, 0xffffffff);
        var raw = L(d, bar);
        L(d, bar, original);
        return raw;
    }

    private ulong PciBarSizeMem32(Bdf d, int bar) => (~(PciBarSize(d, bar) & ~0xfUL) + 1) & 0xffffffff;
    private ulong PciBarSizeRom(Bdf d, int bar) => (~(PciBarSize(d, bar) & 0xfffff800UL) + 1) & 0xffffffff;
    private ulong PciBarSizeIo(Bdf d, int bar) => (~(PciBarSize(d, bar) & ~0x3UL) + 1) & 0xffffffff;

    /// <summary>pci-bar-size-mem64: both halves sized, 64-bit arithmetic.</summary>
    private ulong PciBarSizeMem64(Bdf d, int bar)
    {
        var lo = PciBarSize(d, bar);
        var hi = PciBarSize(d, bar + 4);
        return ~((lo + (hi << 32)) & ~0xfUL) + 1;
    }

    /// <summary>assign-var-align: align the variable up, return that address, advance the variable by the size.</summary>
    private static ulong AssignVarAlign(ulong size, ulong align, ref ulong var)
    {
        var al = Aligned(var, align);
        var = al + size;
        return al;
    }

    /// <summary>assign-bar-value32 (memory, pci-mem-bar-min-align applies).</summary>
    private void AssignBarValue32(Bdf d, int bar, ulong size, ref ulong var)
    {
        if (size == 0) return;
        var al = AssignVarAlign(size, Math.Max(size, _memBarMinAlign), ref var);
        L(d, bar, al);
    }

    /// <summary>assign-io-bar-value32: aligned to its own size only.</summary>
    private void AssignIoBarValue32(Bdf d, int bar, ulong size, ref ulong var)
    {
        if (size == 0) return;
        var al = AssignVarAlign(size, size, ref var);
        L(d, bar, al);
    }

    /// <summary>assign-bar-value64: low dword, then high dword.</summary>
    private void AssignBarValue64(Bdf d, int bar, ulong size, ref ulong var)
    {
        if (size == 0) return;
        var al = AssignVarAlign(size, Math.Max(size, _memBarMinAlign), ref var);
        L(d, bar, al);
        L(d, bar + 4, al >> 32);
    }

    /// <summary>assign-bar: by type; returns the register size (4 or 8). An invalid type code is SLOF's ABORT.</summary>
    private int AssignBar(Bdf d, int bar)
    {
        switch (PciBarCode(d, bar))
        {
            case BarCode.Io:
                AssignIoBarValue32(d, bar, PciBarSizeIo(d, bar), ref _nextIo);
                return 4;
            case BarCode.Mem32:
                // assign-mmio32-bar
                AssignBarValue32(d, bar, PciBarSizeMem32(d, bar), ref _nextMmio);
                return 4;
            case BarCode.PMem32:
            {
                // assign-mem32-bar: the 32-bit prefetchable area if there is one, else MMIO.
                var size = PciBarSizeMem32(d, bar);
                if (_nextMem != 0) AssignBarValue32(d, bar, size, ref _nextMem);
                else AssignBarValue32(d, bar, size, ref _nextMmio);
                return 4;
            }
            case BarCode.Mem64:
                // assign-mmio64-bar: non-prefetchable 64-bit BARs go to the 32-bit MMIO window.
                AssignBarValue64(d, bar, PciBarSizeMem64(d, bar), ref _nextMmio);
                return 8;
            case BarCode.PMem64:
            {
                // assign-mem64-bar
                var size = PciBarSizeMem64(d, bar);
                if (_nextMem64 == 0) AssignBarValue64(d, bar, size, ref _nextMem);
                else AssignBarValue64(d, bar, size, ref _nextMem64);
                return 8;
            }
            default:
                throw new SlofAbortException($"assign-bar: invalid BAR type at {d} 0x{bar:x2}");
        }
    }

    /// <summary>assign-rom-bar: from MMIO, then set the enable bit.</summary>
    private void AssignRomBar(Bdf d, int rom)
    {
        var size = PciBarSizeRom(d, rom);
        if (size == 0) return;
        AssignBarValue32(d, rom, size, ref _nextMmio);
        L(d, rom, L(d, rom) | 1);
    }

    /// <summary>assign-all-device-bars: 0x10 … 0x24 in register order, then the ROM at 0x30.</summary>
    private void AssignAllDeviceBars(Bdf d)
    {
        for (var bar = 0x10; bar < 0x28;) bar += AssignBar(d, bar);
        AssignRomBar(d, Type0Header.RomAddress.Offset);
    }

    /// <summary>assign-all-bridge-bars: 0x10, 0x14, then the ROM at 0x38.</summary>
    private void AssignAllBridgeBars(Bdf d)
    {
        for (var bar = 0x10; bar < 0x18;) bar += AssignBar(d, bar);
        AssignRomBar(d, Type1Header.RomAddress.Offset);
    }

    // --- bridge windows (pci-scan.fs) -------------------------------------------------------------------------------

    /// <summary>pci-bridge-set-bases: MMIO, then prefetchable, then I/O.</summary>
    private void PciBridgeSetBases(Bdf d)
    {
        PciBridgeSetMmioBase(d);
        PciBridgeSetMemBase(d);
        PciBridgeSetIoBase(d);
    }

    /// <summary>pci-bridge-set-limits: MMIO, then prefetchable, then I/O.</summary>
    private void PciBridgeSetLimits(Bdf d)
    {
        PciBridgeSetMmioLimit(d);
        PciBridgeSetMemLimit(d);
        PciBridgeSetIoLimit(d);
    }

    /// <summary>pci-bridge-set-mmio-base: 1 MiB aligned base, limit at the top of the window for the scan.</summary>
    private void PciBridgeSetMmioBase(Bdf d)
    {
        _nextMmio = Aligned(_nextMmio, OneMiB);
        L(d, 0x20, (_nextMmio >> 16) | ((_maxMmio - 1) & 0xffff0000));
    }

    /// <summary>pci-bridge-set-mmio-limit: 1 MiB of slack for hot-plug, aligned; the limit word.</summary>
    private void PciBridgeSetMmioLimit(Bdf d)
    {
        _nextMmio = Aligned(_nextMmio + OneMiB, OneMiB);
        var v = ((_nextMmio - 1) & 0xffff0000) | (L(d, 0x20) & 0x0000ffff);
        L(d, 0x20, v);
    }

    private bool BridgePref64(Bdf d) => (W(d, 0x24) & 1) != 0 && _nextMem64 != 0;

    /// <summary>pci-bridge-set-mem-base: 64-bit (4 GiB aligned, upper dwords) when both sides can, else the 32-bit area.</summary>
    private void PciBridgeSetMemBase(Bdf d)
    {
        if (BridgePref64(d))
        {
            _nextMem64 = Aligned(_nextMem64, FourGiB);
            L(d, 0x28, _nextMem64 >> 32);
            L(d, 0x24, ((_nextMem64 >> 16) & 0xfff0) | ((_maxMem64 - 1) & 0xfff00000));
            L(d, 0x2c, (_maxMem64 - 1) >> 32);
        }
        else
        {
            _nextMem = Aligned(_nextMem, OneMiB);
            L(d, 0x24, ((_nextMem >> 16) & 0xfff0) | ((_maxMem - 1) & 0xfff00000));
        }
    }

    /// <summary>pci-bridge-set-mem-limit: 2 GiB slack and 4 GiB alignment (64-bit), else 1 MiB of each.</summary>
    private void PciBridgeSetMemLimit(Bdf d)
    {
        if (BridgePref64(d))
        {
            _nextMem64 = Aligned(_nextMem64 + TwoGiB, FourGiB);
            L(d, 0x2c, (_nextMem64 - 1) >> 32);
            W(d, 0x26, (_nextMem64 - 1) >> 16);
        }
        else
        {
            _nextMem = Aligned(_nextMem + OneMiB, OneMiB);
            W(d, 0x26, (_nextMem - 1) >> 16);
        }
    }

    /// <summary>pci-bridge-set-io-base: 4 KiB aligned; the upper-16 registers when the bridge decodes 32-bit I/O.</summary>
    private void PciBridgeSetIoBase(Bdf d)
    {
        _nextIo = Aligned(_nextIo, FourKiB);
        if ((L(d, 0x1c) & 1) != 0) L(d, 0x30, (_nextIo >> 16) | (_maxIo & 0xffff0000));
        var v = ((_nextIo >> 8) & 0xff) | ((_maxIo - 1) & 0xff00);
        // "over rtas-config-l@": the original value read is the bridge's dword 0 (a Forth stack slip), kept as SLOF does.
        v |= L(d, 0) & 0xffff0000;
        L(d, 0x1c, v);
    }

    /// <summary>pci-bridge-set-io-limit: 2 KiB slack, 4 KiB aligned.</summary>
    private void PciBridgeSetIoLimit(Bdf d)
    {
        _nextIo = Aligned(_nextIo + TwoKiB, FourKiB);
        var limit = _nextIo - 1;
        if ((B(d, 0x1d) & 1) != 0) L(d, 0x30, (limit & 0xffff0000) | L(d, 0x30));
        L(d, 0x1c, (limit & 0xff00) | (L(d, 0x1c) & 0xffff00ff));
    }

    // --- properties ---------------------------------------------------------------------------------------------------

    /// <summary>pci-set-capabilities (board-qemu): MSI / MSI-X vector counts (ibm,req#msi, ibm,req#msi-x).</summary>
    private void PciSetCapabilities(Bdf d)
    {
        if (PciCapFind(d, CapabilityId.Msi) is { } msi) _ = W(d, msi + 2);
        if (PciCapFind(d, CapabilityId.MsiX) is { } msix) _ = W(d, msix + 2);
    }

    /// <summary>pci-cap-find: walk the capability list for <paramref name="id"/>.</summary>
    private int? PciCapFind(Bdf d, byte id)
    {
        if (((L(d, 4) >> 16 >> 4) & 1) == 0) return null;
        var ptr = 0x34;
        for (var guard = 0; guard < 48; guard++)
        {
            var next = (int)(B(d, ptr) & 0xfc);
            if (next == 0) return null;
            if (B(d, next) == id) return next;
            ptr = next + 1;
        }
        return null;
    }

    /// <summary>pci-common-props: the config reads behind the common properties (QEMU's values are kept).</summary>
    private void PciCommonProps(Bdf d)
    {
        _ = PciClassName(d);
        _ = PciVendor(d);
        _ = PciDevice(d);
        _ = B(d, 8);
        _ = PciClass(d);
        _ = PciCapFind(d, CapabilityId.Express);
        _ = L(d, 4);
        _ = B(d, 0x0c);
        _ = B(d, 0x3d);
    }

    /// <summary>
    /// pci-device-assigned-addresses-prop / pci-bridge-assigned-addresses-prop: ROM first, then each BAR
    /// (gen-*-bar-prop: the value read back, the size by sizing again); 64-bit non-prefetchable BARs use 0x82.
    /// </summary>
    private List<(uint PhysHi, ulong Address, ulong Size)> PciDeviceAssignedAddressesProp(Bdf d, int rom, int barEnd)
    {
        var prop = new List<(uint, ulong, ulong)>();
        var cfg = (uint)((d.Bus << 16) | (d.DevFn << 8));
        var romSize = PciBarSizeRom(d, rom);
        if (romSize != 0) prop.Add((AssignedMem32 | cfg | (uint)rom, L(d, rom) & 0xfffff800, romSize));
        for (var bar = 0x10; bar < barEnd;)
        {
            var code = PciBarCode(d, bar);
            var phys = cfg | (uint)bar;
            switch (code)
            {
                case BarCode.Io:
                {
                    var size = PciBarSizeIo(d, bar);
                    if (size != 0) prop.Add((AssignedIo | phys, L(d, bar) & ~3UL & 0xffffffff, size));
                    bar += 4;
                    break;
                }
                case BarCode.Mem32 or BarCode.PMem32:
                {
                    var size = PciBarSizeMem32(d, bar);
                    if (size != 0) prop.Add(((code == BarCode.PMem32 ? AssignedPMem32 : AssignedMem32) | phys, L(d, bar) & ~0xfUL & 0xffffffff, size));
                    bar += 4;
                    break;
                }
                case BarCode.Mem64 or BarCode.PMem64:
                {
                    var size = PciBarSizeMem64(d, bar);
                    if (size != 0)
                    {
                        var v = (L(d, bar) + ((ulong)L(d, bar + 4) << 32)) & ~0xfUL;
                        prop.Add(((code == BarCode.PMem64 ? AssignedPMem64 : AssignedMem32) | phys, v, size));
                    }
                    bar += 8;
                    break;
                }
                default:
                    bar += 4;
                    break;
            }
        }
        return prop;
    }

    /// <summary>pci-bridge-range-props: the bridge's windows read back (only the config reads matter here).</summary>
    private void PciBridgeRangeProps(Bdf d)
    {
        _ = L(d, 0x20);
        _ = L(d, 0x24);
        _ = L(d, 0x28);
        _ = L(d, 0x2c);
        _ = L(d, 0x1c);
        _ = L(d, 0x30);
    }

    /// <summary>pci-bridge-props: bus numbers and bus-range, slot-names, ranges, assigned-addresses, reg.</summary>
    private DeviceTreePciNode PciBridgeProps(DeviceTreePciNode node, Bdf d)
    {
        var buses = L(d, 0x18);
        _ = L(d, 0x18);
        var secondary = (int)((buses >> 8) & 0xff);
        var subordinate = (int)((buses >> 16) & 0xff);
        PciBridgeRangeProps(d);
        var assigned = PciDeviceAssignedAddressesProp(d, Type1Header.RomAddress.Offset, 0x18);
        return node with { Name = PciClassName(d), BusRange = (secondary, subordinate), AssignedAddresses = assigned };
    }
}
