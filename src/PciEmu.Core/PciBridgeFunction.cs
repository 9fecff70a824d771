namespace PciEmu.Core;

/// <summary>A decoded bridge window (pci_bridge_get_base / pci_bridge_get_limit); empty when Limit &lt; Base.</summary>
public readonly record struct BridgeWindow(ulong Base, ulong Limit)
{
    public bool IsEmpty => Limit < Base;
    public ulong Size => IsEmpty ? 0 : Limit - Base + 1;
}

/// <summary>
/// A PCI-to-PCI bridge function with a type-1 header (hw/pci/pci_bridge.c). The fabric hangs a secondary bus
/// below it and routes config cycles by its bus-number registers.
/// </summary>
public abstract class PciBridgeFunction(PciDeviceOptions? options = null) : PciFunction(options)
{
    private const int IoWindowShift = 8;
    private const int MemWindowShift = 16;
    private const ulong IoWindowGranule = 0xfff;
    private const ulong MemWindowGranule = 0xfffff;

    public sealed override bool IsBridge => true;

    /// <summary>True when the secondary bus is PCI Express (root and downstream ports, upstream ports).</summary>
    public abstract bool SecondaryIsExpress { get; }

    /// <summary>Raised on a 0→1 transition of Bridge Control.BUS_RESET (pci_bridge_write_config).</summary>
    public event Action<PciBridgeFunction>? SecondaryBusReset;

    public byte PrimaryBus => Config.GetByte(Type1Header.PrimaryBus.Offset);
    public byte SecondaryBus => Config.GetByte(Type1Header.SecondaryBus.Offset);
    public byte SubordinateBus => Config.GetByte(Type1Header.SubordinateBus.Offset);
    public ushort BridgeControl => Config.GetWord(Type1Header.BridgeControl.Offset);
    public bool SecondaryBusResetAsserted => (BridgeControl & (ushort)BridgeControlBits.BusReset) != 0;

    /// <summary>True for PCIe root and downstream ports: only device 0 exists below them (pcie_has_upstream_port).</summary>
    public virtual bool HasSingleDeviceSecondary => false;

    /// <summary>Whether functions on the secondary bus are powered (a PCIe slot's power controller).</summary>
    public virtual bool SecondaryPowered => true;

    /// <summary>pci_init_mask_bridge and pci_bridge_initfn.</summary>
    private protected sealed override void InitBridgeHeader(ConfigSpaceBuilder b)
    {
        var c = b.Config;
        c.WriteMask.Slice(Type1Header.PrimaryBus.Offset, 4).Fill(0xff);
        c.WriteMask[Type1Header.IoBase.Offset] = BarBits.IoRangeMask;
        c.WriteMask[Type1Header.IoLimit.Offset] = BarBits.IoRangeMask;
        c.SetWriteMask(Type1Header.MemoryBase.Offset, 2, BarBits.MemRangeMask);
        c.SetWriteMask(Type1Header.MemoryLimit.Offset, 2, BarBits.MemRangeMask);
        c.SetWriteMask(Type1Header.PrefMemoryBase.Offset, 2, BarBits.MemRangeMask);
        c.SetWriteMask(Type1Header.PrefMemoryLimit.Offset, 2, BarBits.MemRangeMask);
        c.SetWriteMask(Type1Header.PrefBaseUpper32.Offset, 4, uint.MaxValue);
        c.SetWriteMask(Type1Header.PrefLimitUpper32.Offset, 4, uint.MaxValue);
        c.SetWord(Type1Header.PrefMemoryBase.Offset, (ushort)(c.GetWord(Type1Header.PrefMemoryBase.Offset) | BarBits.PrefRangeType64));
        c.SetWord(Type1Header.PrefMemoryLimit.Offset, (ushort)(c.GetWord(Type1Header.PrefMemoryLimit.Offset) | BarBits.PrefRangeType64));
        c.SetWriteMask(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.QemuConventionalWritable);
        c.SetW1cMask(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.DiscardStatus);
        // pci_bridge_initfn: 66 MHz + fast back-to-back in status and secondary status
        var fast = (ushort)(StatusBits.Mhz66 | StatusBits.FastBack);
        c.SetWord(CommonHeader.Status.Offset, (ushort)(c.GetWord(CommonHeader.Status.Offset) | fast));
        c.SetWord(Type1Header.SecStatus.Offset, fast);
    }

    /// <summary>pcie_port_init_reg: PCIe ports have no 66 MHz / fast-B2B and drop the PCI-only control bits.</summary>
    protected static void InitExpressPortRegisters(ConfigSpaceBuilder b)
    {
        var c = b.Config;
        c.SetWord(CommonHeader.Status.Offset, 0);
        c.SetWord(Type1Header.SecStatus.Offset, 0);
        c.SetWriteMask(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.QemuExpressWritable);
    }

    protected override void OnConfigWritten(in ConfigWrite w)
    {
        // pci_bridge_write_config: a 0->1 transition of the secondary bus reset bit resets the bus below.
        if (w.Overlaps(Type1Header.BridgeControl))
        {
            var oldCtl = BridgeControlBeforeWrite(w);
            var newCtl = BridgeControl;
            if ((~oldCtl & newCtl & (ushort)BridgeControlBits.BusReset) != 0) SecondaryBusReset?.Invoke(this);
        }
    }

    private ushort BridgeControlBeforeWrite(in ConfigWrite w)
    {
        // Rebuild the old 16-bit value from the bytes the write covered and the untouched current bytes.
        var ctl = BridgeControl;
        for (var i = 0; i < w.Width; i++)
        {
            var o = w.Offset + i - Type1Header.BridgeControl.Offset;
            if (o is < 0 or > 1) continue;
            var oldByte = (byte)(w.OldValue >> (8 * i));
            ctl = (ushort)((ctl & ~(0xff << (8 * o))) | (oldByte << (8 * o)));
        }
        return ctl;
    }

    protected override void OnReset()
    {
        // pci_bridge_reset
        var c = Config;
        c.SetByte(Type1Header.PrimaryBus.Offset, 0);
        c.SetByte(Type1Header.SecondaryBus.Offset, 0);
        c.SetByte(Type1Header.SubordinateBus.Offset, 0);
        c.SetByte(Type1Header.SecLatencyTimer.Offset, 0);
        c.SetByte(Type1Header.IoBase.Offset, (byte)(c.GetByte(Type1Header.IoBase.Offset) & ~BarBits.IoRangeMask));
        c.SetByte(Type1Header.IoLimit.Offset, (byte)(c.GetByte(Type1Header.IoLimit.Offset) & ~BarBits.IoRangeMask));
        c.SetWord(Type1Header.MemoryBase.Offset, (ushort)(c.GetWord(Type1Header.MemoryBase.Offset) & ~BarBits.MemRangeMask));
        c.SetWord(Type1Header.MemoryLimit.Offset, (ushort)(c.GetWord(Type1Header.MemoryLimit.Offset) & ~BarBits.MemRangeMask));
        c.SetWord(Type1Header.PrefMemoryBase.Offset, (ushort)(c.GetWord(Type1Header.PrefMemoryBase.Offset) & ~BarBits.MemRangeMask));
        c.SetWord(Type1Header.PrefMemoryLimit.Offset, (ushort)(c.GetWord(Type1Header.PrefMemoryLimit.Offset) & ~BarBits.MemRangeMask));
        c.SetLong(Type1Header.PrefBaseUpper32.Offset, 0);
        c.SetLong(Type1Header.PrefLimitUpper32.Offset, 0);
        c.SetWord(Type1Header.BridgeControl.Offset, 0);
    }

    /// <summary>pci_bridge_disable_base_limit: base above limit in all three windows.</summary>
    protected void DisableBaseLimit()
    {
        var c = Config;
        c.SetByte(Type1Header.IoBase.Offset, (byte)(c.GetByte(Type1Header.IoBase.Offset) | BarBits.IoRangeMask));
        c.SetByte(Type1Header.IoLimit.Offset, (byte)(c.GetByte(Type1Header.IoLimit.Offset) & ~BarBits.IoRangeMask));
        c.SetWord(Type1Header.MemoryBase.Offset, (ushort)(c.GetWord(Type1Header.MemoryBase.Offset) | BarBits.MemRangeMask));
        c.SetWord(Type1Header.MemoryLimit.Offset, (ushort)(c.GetWord(Type1Header.MemoryLimit.Offset) & ~BarBits.MemRangeMask));
        c.SetWord(Type1Header.PrefMemoryBase.Offset, (ushort)(c.GetWord(Type1Header.PrefMemoryBase.Offset) | BarBits.MemRangeMask));
        c.SetWord(Type1Header.PrefMemoryLimit.Offset, (ushort)(c.GetWord(Type1Header.PrefMemoryLimit.Offset) & ~BarBits.MemRangeMask));
        c.SetLong(Type1Header.PrefBaseUpper32.Offset, 0);
        c.SetLong(Type1Header.PrefLimitUpper32.Offset, 0);
    }

    /// <summary>The I/O window as QEMU decodes it (16-bit decode only).</summary>
    public BridgeWindow IoWindow
    {
        get
        {
            var c = Config;
            ulong b = (ulong)(c.GetByte(Type1Header.IoBase.Offset) & BarBits.IoRangeMask) << IoWindowShift;
            ulong l = ((ulong)(c.GetByte(Type1Header.IoLimit.Offset) & BarBits.IoRangeMask) << IoWindowShift) | IoWindowGranule;
            return new BridgeWindow(b, l);
        }
    }

    public BridgeWindow MemoryWindow
    {
        get
        {
            var c = Config;
            ulong b = (ulong)(c.GetWord(Type1Header.MemoryBase.Offset) & BarBits.MemRangeMask) << MemWindowShift;
            ulong l = ((ulong)(c.GetWord(Type1Header.MemoryLimit.Offset) & BarBits.MemRangeMask) << MemWindowShift) | MemWindowGranule;
            return new BridgeWindow(b, l);
        }
    }

    public BridgeWindow PrefetchableWindow
    {
        get
        {
            var c = Config;
            ulong b = ((ulong)(c.GetWord(Type1Header.PrefMemoryBase.Offset) & BarBits.MemRangeMask) << MemWindowShift)
                      | ((ulong)c.GetLong(Type1Header.PrefBaseUpper32.Offset) << 32);
            ulong l = ((ulong)(c.GetWord(Type1Header.PrefMemoryLimit.Offset) & BarBits.MemRangeMask) << MemWindowShift)
                      | ((ulong)c.GetLong(Type1Header.PrefLimitUpper32.Offset) << 32) | MemWindowGranule;
            return new BridgeWindow(b, l);
        }
    }
}
