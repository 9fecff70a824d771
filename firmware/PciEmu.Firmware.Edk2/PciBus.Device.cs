using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

internal sealed partial class PciBus
{
    private const uint AllOnes = 0xffffffff;
    private const uint RomProbe = 0xfffffffe;
    private const uint RomSizeMask = 0xfffff800;
    private const uint IoBarMask = 0xfffffffc;
    private const uint MemBarMask = 0xfffffff0;
    private const uint Io32Bits = 0xffff0000;
    private const uint MemTypeMask = 0x07;
    private const uint MemType32 = 0x00;
    private const uint MemType64 = 0x04;
    private const ulong MinMemAlignment = 0x1000;
    private const int FirstBar = 0x10;
    private const int LastBar = 0x24;
    private const int BarSize = 4;
    private const int PmcsrOffset = 4;
    private const byte IoRange32 = 0x01;
    private const ushort PrefRange64 = 0x0001;
    private const ushort RangeTypeMask = 0x000f;

    /// <summary>
    /// PciSearchDevice (PciEnumeratorSupport.c): the Discovered line, the device object (GatherDeviceInfo /
    /// GatherPpbInfo + InitializePpb), option-ROM sizing and the PM reset, then InsertPciDevice.
    /// </summary>
    private PciIoDevice PciSearchDevice(PciIoDevice bridge, Bdf bdf, byte headerType)
    {
        var vendor = _cfg.Read16(bdf, CommonHeader.VendorId.Offset);
        var deviceId = _cfg.Read16(bdf, CommonHeader.DeviceId.Offset);
        var isBridge = (headerType & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge;
        var kind = isBridge ? "PPB" : "PCI";
        _log.Debug(_options.Version == Edk2Version.Stable202211
            ? $"PciBus: Discovered {kind} @ {Edk2Log.Bdf(bdf)}"
            : $"PciBus: Discovered {kind} @ {Edk2Log.Bdf(bdf)}  [VID = 0x{Edk2Log.X(vendor, 4)}, DID = 0x{Edk2Log.X(deviceId, 4)}]");
        PciIoDevice dev;
        if (!isBridge)
        {
            dev = GatherDeviceInfo(bridge, bdf, vendor, deviceId, headerType);
        }
        else
        {
            dev = GatherPpbInfo(bridge, bdf, vendor, deviceId, headerType);
            InitializePpb(dev);
        }
        UpdatePciInfo(dev);
        GetOpRomInfo(dev);
        ResetPowerManagementFeature(dev);
        dev.Parent = bridge;
        bridge.ChildList.Add(dev);
        return dev;
    }

    /// <summary>
    /// UpdatePciInfo (PciEnumeratorSupport.c) with OVMF's IncompatiblePciDeviceSupportDxe CheckDevice: its one 64-bit
    /// memory descriptor matches every BAR and marks each Mem64/PMem64 BAR BarTypeFixed.
    /// </summary>
    private void UpdatePciInfo(PciIoDevice dev)
    {
        if (!_options.IncompatiblePciDeviceSupport) return;
        foreach (var bar in dev.PciBar)
        {
            if (bar.BarType is PciBarType.Mem64 or PciBarType.PMem64 && bar.Length != 0) bar.BarTypeFixed = true;
        }
    }

    /// <summary>CreatePciIoDevice (PciEnumeratorSupport.c): the object plus its PCI Express capability.</summary>
    private PciIoDevice CreatePciIoDevice(Bdf bdf, ushort vendor, ushort deviceId, byte headerType)
    {
        var dev = new PciIoDevice(bdf, vendor, deviceId, headerType);
        var exp = PciCapabilities.Find(_cfg, bdf, CapabilityId.Express);
        dev.IsPciExp = exp != 0;
        dev.PciExpressCapabilityOffset = exp;
        return dev;
    }

    /// <summary>GatherDeviceInfo: disable the owned command bits, parse BAR 0x10..0x24 with a running index.</summary>
    private PciIoDevice GatherDeviceInfo(PciIoDevice bridge, Bdf bdf, ushort vendor, ushort deviceId, byte headerType)
    {
        _ = bridge;
        var dev = CreatePciIoDevice(bdf, vendor, deviceId, headerType);
        PciDisableRegister(bdf, CommonHeader.Command.Offset, CommandBitsOwned);
        for (int offset = FirstBar, barIndex = 0; offset <= LastBar && barIndex < PciIoDevice.PciMaxBar; barIndex++)
        {
            offset = PciParseBar(dev, offset, barIndex);
        }
        DumpPciBars(dev);
        return dev;
    }

    /// <summary>
    /// GatherPpbInfo: command and bridge-control owned bits cleared, BAR0/BAR1, I/O decode probe at 0x1C, the
    /// prefetchable probe (64-bit type in both base and limit, upper base writable), MEM32 always, padding.
    /// </summary>
    private PciIoDevice GatherPpbInfo(PciIoDevice bridge, Bdf bdf, ushort vendor, ushort deviceId, byte headerType)
    {
        _ = bridge;
        var dev = CreatePciIoDevice(bdf, vendor, deviceId, headerType);
        PciDisableRegister(bdf, CommonHeader.Command.Offset, CommandBitsOwned);
        PciDisableRegister(bdf, Type1Header.BridgeControl.Offset, BridgeControlBitsOwned);
        if (PciParseBar(dev, Type1Header.BaseAddress0.Offset, PciIoDevice.PpbBar0) == Type1Header.BaseAddress1.Offset)
        {
            PciParseBar(dev, Type1Header.BaseAddress1.Offset, PciIoDevice.PpbBar1);
        }
        var temp = _cfg.Read8(bdf, Type1Header.IoBase.Offset);
        _cfg.Write8(bdf, Type1Header.IoBase.Offset, byte.MaxValue);
        var value = _cfg.Read8(bdf, Type1Header.IoBase.Offset);
        _cfg.Write8(bdf, Type1Header.IoBase.Offset, temp);
        if (value != 0) dev.Decodes |= (value & IoRange32) != 0 ? BridgeDecodes.Io32 : BridgeDecodes.Io16;

        if (BarExisted(bdf, Type1Header.PrefMemoryBase.Offset, out _, out var pmemBaseLimit))
        {
            var pbase = (ushort)(pmemBaseLimit & 0xffff);
            var plimit = (ushort)(pmemBaseLimit >> 16);
            if ((pbase & RangeTypeMask) == PrefRange64 && (plimit & RangeTypeMask) == PrefRange64)
            {
                dev.Decodes |= BarExisted(bdf, Type1Header.PrefBaseUpper32.Offset, out _, out _)
                    ? BridgeDecodes.PMem32 | BridgeDecodes.PMem64
                    : BridgeDecodes.PMem32;
            }
        }
        dev.Decodes |= BridgeDecodes.Mem32;
        GetResourcePaddingPpb(dev);
        DumpPciBars(dev);
        return dev;
    }

    /// <summary>PCI_DISABLE_COMMAND_REGISTER / PCI_DISABLE_BRIDGE_CONTROL_REGISTER (PciOperateRegister with EFI_RESET).</summary>
    private void PciDisableRegister(Bdf bdf, int offset, ushort bits)
    {
        var v = _cfg.Read16(bdf, offset);
        _cfg.Write16(bdf, offset, (ushort)(v & ~bits));
    }

    /// <summary>BarExisted: save, write all ones, read, restore; a zero read-back means no BAR.</summary>
    private bool BarExisted(Bdf bdf, int offset, out uint value, out uint original)
    {
        original = _cfg.Read32(bdf, offset);
        _cfg.Write32(bdf, offset, AllOnes);
        value = _cfg.Read32(bdf, offset);
        _cfg.Write32(bdf, offset, original);
        return value != 0;
    }

    /// <summary>
    /// PciParseBar: I/O (Io16 / Io32 by bits 31:16 of the probe, alignment = length - 1) or memory (32/64-bit,
    /// prefetchable; alignment at least 4 KiB - 1). Returns the next BAR offset.
    /// </summary>
    private int PciParseBar(PciIoDevice dev, int offset, int barIndex)
    {
        var bar = dev.PciBar[barIndex];
        if (!BarExisted(dev.Bdf, offset, out var value, out var original))
        {
            bar.BaseAddress = 0;
            bar.Length = 0;
            bar.Alignment = 0;
            bar.Offset = offset;
            return offset + BarSize;
        }
        bar.BarTypeFixed = false;
        bar.Offset = offset;
        if ((value & BarBits.SpaceIo) != 0)
        {
            if ((value & Io32Bits) != 0)
            {
                bar.BarType = PciBarType.Io32;
                bar.Length = (uint)(~(value & IoBarMask) + 1);
            }
            else
            {
                bar.BarType = PciBarType.Io16;
                bar.Length = 0x0000ffff & (uint)(~(value & IoBarMask) + 1);
            }
            bar.Alignment = bar.Length - 1;
            bar.BaseAddress = original & IoBarMask;
        }
        else
        {
            bar.BaseAddress = original & MemBarMask;
            switch (value & MemTypeMask)
            {
                case MemType32:
                    bar.BarType = (value & BarBits.MemPrefetch) != 0 ? PciBarType.PMem32 : PciBarType.Mem32;
                    bar.Length = (uint)(~(value & MemBarMask) + 1);
                    bar.Alignment = bar.Length < MinMemAlignment ? MinMemAlignment - 1 : bar.Length - 1;
                    break;
                case MemType64:
                    bar.BarType = (value & BarBits.MemPrefetch) != 0 ? PciBarType.PMem64 : PciBarType.Mem64;
                    var low = value & MemBarMask;
                    offset += BarSize;
                    if (!BarExisted(dev.Bdf, offset, out value, out original))
                    {
                        if (value == 0)
                        {
                            _log.Debug("[PciBus]BAR probing for upper 32bit of MEM64 BAR returns 0, change to 0xFFFFFFFF.");
                            value = AllOnes;
                        }
                        else
                        {
                            return offset + BarSize;
                        }
                    }
                    // Fix the length to support some special 64 bit BAR.
                    value |= AllOnes << (31 - System.Numerics.BitOperations.LeadingZeroCount(value));
                    bar.BaseAddress |= (ulong)original << 32;
                    bar.Length = ~(low | ((ulong)value << 32)) + 1;
                    bar.Alignment = bar.Length < MinMemAlignment ? MinMemAlignment - 1 : bar.Length - 1;
                    break;
                default:
                    bar.BarType = PciBarType.Unknown;
                    bar.Length = 0;
                    bar.Alignment = 0;
                    break;
            }
        }
        if (bar.Length == 0)
        {
            bar.BarType = PciBarType.Unknown;
            bar.BaseAddress = 0;
            bar.Alignment = 0;
        }
        return offset + BarSize;
    }

    /// <summary>InitializePpb: every window closed (base all ones, limit zero), interrupt line 0.</summary>
    private void InitializePpb(PciIoDevice dev)
    {
        var b = dev.Bdf;
        _cfg.Write8(b, Type1Header.IoBase.Offset, byte.MaxValue);
        _cfg.Write8(b, Type1Header.IoLimit.Offset, 0);
        _cfg.Write16(b, Type1Header.MemoryBase.Offset, ushort.MaxValue);
        _cfg.Write16(b, Type1Header.MemoryLimit.Offset, 0);
        _cfg.Write16(b, Type1Header.PrefMemoryBase.Offset, ushort.MaxValue);
        _cfg.Write16(b, Type1Header.PrefMemoryLimit.Offset, 0);
        _cfg.Write32(b, Type1Header.PrefBaseUpper32.Offset, AllOnes);
        _cfg.Write32(b, Type1Header.PrefLimitUpper32.Offset, 0);
        _cfg.Write16(b, Type1Header.IoBaseUpper16.Offset, ushort.MaxValue);
        _cfg.Write16(b, Type1Header.IoLimitUpper16.Offset, 0);
        _cfg.Write8(b, CommonHeader.InterruptLine.Offset, 0);
    }

    /// <summary>GetOpRomInfo: write 0xFFFFFFFE to the ROM BAR (not restored), size = ~(v &amp; 0xFFFFF800) + 1.</summary>
    private void GetOpRomInfo(PciIoDevice dev)
    {
        var off = dev.IsPciBridge ? Type1Header.RomAddress.Offset : Type0Header.RomAddress.Offset;
        _cfg.Write32(dev.Bdf, off, RomProbe);
        var v = _cfg.Read32(dev.Bdf, off) & RomSizeMask;
        if (v == 0 || v == RomSizeMask) return;
        dev.RomSize = (uint)(~v + 1);
    }

    /// <summary>ResetPowerManagementFeature: PMCSR = 0 when the function has a PM capability.</summary>
    private void ResetPowerManagementFeature(PciIoDevice dev)
    {
        var pm = PciCapabilities.Find(_cfg, dev.Bdf, CapabilityId.PowerManagement);
        if (pm == 0) return;
        _cfg.Write16(dev.Bdf, pm + PmcsrOffset, 0);
    }

    /// <summary>
    /// GetResourcePaddingPpb / GetResourcePaddingForHpb: a hot-plug bridge's padding from PciHotPlugInitDxe, once per
    /// device object; DumpPpbPaddingResource prints the I/O and MEM descriptors.
    /// </summary>
    private void GetResourcePaddingPpb(PciIoDevice dev)
    {
        if (!_options.PcdPciBusHotplugDeviceSupport || dev.ResourcePaddingDescriptors is not null) return;
        if (!_hotPlug.IsPciHotPlugBus(dev)) return;
        dev.ResourcePaddingDescriptors = _hotPlug.GetResourcePadding(dev.Bdf);
        foreach (var d in dev.ResourcePaddingDescriptors)
        {
            var type = PaddingType(d);
            if (type == PciBarType.Unknown) continue;
            _log.Debug($"   Padding: Type = {Edk2Log.TypeStr(type)}; Alignment = 0x{Edk2Log.X(d.AddrRangeMax)};\tLength = 0x{Edk2Log.X(d.AddrLen)}");
        }
    }

    /// <summary>The BAR type a padding descriptor fills (DumpPpbPaddingResource / ApplyResourcePadding).</summary>
    private static PciBarType PaddingType(PaddingDescriptor d) => d.ResType switch
    {
        PaddingResourceType.Io => PciBarType.Io16,
        PaddingResourceType.Mem when d.Granularity == 32 => d.SpecificFlag == PaddingDescriptor.Prefetchable ? PciBarType.PMem32 : PciBarType.Mem32,
        PaddingResourceType.Mem when d.Granularity == 64 => d.SpecificFlag == PaddingDescriptor.Prefetchable ? PciBarType.PMem64 : PciBarType.Mem64,
        _ => PciBarType.Unknown,
    };

    /// <summary>DumpPciBars: one line per present BAR, then an empty line.</summary>
    private void DumpPciBars(PciIoDevice dev)
    {
        if (!_log.Enabled) return;
        for (var i = 0; i < PciIoDevice.PciMaxBar; i++)
        {
            var bar = dev.PciBar[i];
            if (bar.BarType == PciBarType.Unknown) continue;
            _log.Debug($"   BAR[{i}]: Type = {Edk2Log.TypeStr(bar.BarType)}; Alignment = 0x{Edk2Log.X(bar.Alignment)};\tLength = 0x{Edk2Log.X(bar.Length)};\tOffset = 0x{Edk2Log.X((ulong)bar.Offset, 2)}");
        }
        _log.Debug("");
    }
}
