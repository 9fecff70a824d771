namespace PciEmu.Core;

/// <summary>Options every -device accepts (QEMU's PCIDevice properties).</summary>
public record PciDeviceOptions
{
    /// <summary>qdev id (<c>id=</c>).</summary>
    public string? Id { get; init; }

    /// <summary><c>multifunction=on</c>: header type bit 7.</summary>
    public bool Multifunction { get; init; }

    /// <summary><c>romfile=</c>; an empty string removes the ROM BAR.</summary>
    public string? RomFile { get; init; }

    /// <summary><c>rombar=</c>; 0 removes the ROM BAR.</summary>
    public bool RomBar { get; init; } = true;

    /// <summary>
    /// <c>x-pcie-ext-tag</c> (QEMU_PCIE_EXT_TAG, QEMU 9.2+): DEVCAP advertises Extended Tags. QEMU 7.2's devices have no
    /// such bit, so it is off unless a newer machine generation (virt-11.1) turns it on.
    /// </summary>
    public bool PcieExtTag { get; init; }

    /// <summary>
    /// <c>x-pcie-err-unc-mask</c> (QEMU_PCIE_ERR_UNC_MASK, QEMU 8.1+): the AER uncorrectable error mask is implemented
    /// (writable, internal-error and TLP-prefix-blocked masked at reset). Off for QEMU 7.2's devices.
    /// </summary>
    public bool PcieErrUncMask { get; init; }
}

/// <summary>
/// One PCI function: its config space and the device-specific behaviour around it. A device model derives from
/// this (or <see cref="PciBridgeFunction"/>), declares its identity, builds its layout in <see cref="Configure"/>
/// and overrides <see cref="OnConfigWritten"/> only when a write has side effects.
/// </summary>
public abstract class PciFunction
{
    private ConfigSpace? _config;
    private IReadOnlyList<BarDefinition> _bars = [];
    private IReadOnlyList<Action<ConfigSpace>> _resetActions = [];
    private ConfigWriteHook[] _writeHooks = [];
    private int _readHookStart;
    private int _readHookEnd;

    protected PciFunction(PciDeviceOptions? options = null)
    {
        Options = options ?? new PciDeviceOptions();
    }

    public PciDeviceOptions Options { get; }

    /// <summary>QEMU's driver name (the -device name), e.g. "pcie-root-port".</summary>
    public abstract string TypeName { get; }

    public abstract DeviceIdentity Identity { get; }

    public string? Id => Options.Id;

    /// <summary>True for functions with a PCIe interface (4 KiB config space).</summary>
    public virtual bool IsExpress => false;

    public virtual bool IsBridge => false;

    public ConfigSpace Config => _config ?? throw new InvalidOperationException($"{TypeName} is not realized");

    public bool IsRealized => _config is not null;

    public IReadOnlyList<BarDefinition> Bars => _bars;

    public ulong RomSize { get; private set; }

    /// <summary>Set when the function was hot-plugged (QEMU's qdev.hotplugged).</summary>
    public bool Hotplugged { get; set; }

    /// <summary>Slot power as the parent slot applies it (QEMU's has_power); unpowered functions read all-ones.</summary>
    public bool HasPower { get; set; } = true;

    public int ConfigSize => IsExpress ? ConfigSpace.ExpressSize : ConfigSpace.ConventionalSize;

    /// <summary>Builds the config space (pci_qdev_realize + the device's realize), then applies reset.</summary>
    public void Realize()
    {
        if (_config is not null) return;
        var config = new ConfigSpace(ConfigSize);
        var b = new ConfigSpaceBuilder(config, IsBridge) { Options = Options };
        InitHeader(b);
        Configure(b);
        FinishExtendedSpace(b);
        config.CheckMasks();
        _bars = b.Bars.OrderBy(x => x.Index).ToArray();
        RomSize = b.RomSize;
        _resetActions = b.ResetActions;
        _writeHooks = [.. b.WriteHooks];
        _readHookStart = b.ReadHookStart;
        _readHookEnd = b.ReadHookEnd;
        _config = config;
        Reset();
    }

    /// <summary>pci_qdev_realize / do_pci_register_device: IDs, class, header type, default masks.</summary>
    private void InitHeader(ConfigSpaceBuilder b)
    {
        var c = b.Config;
        var id = Identity;
        c.SetWord(CommonHeader.VendorId.Offset, id.VendorId);
        c.SetWord(CommonHeader.DeviceId.Offset, id.DeviceId);
        c.SetByte(CommonHeader.Revision.Offset, id.Revision);
        c.SetByte(CommonHeader.ClassProg.Offset, id.ProgIf);
        c.SetWord(CommonHeader.ClassDevice.Offset, id.ClassDevice);
        var headerType = IsBridge ? CommonHeader.HeaderTypeBridge : CommonHeader.HeaderTypeNormal;
        if (Options.Multifunction) headerType |= CommonHeader.HeaderTypeMultifunction;
        c.SetByte(CommonHeader.HeaderType.Offset, headerType);

        // pci_init_wmask
        c.WriteMask[CommonHeader.CacheLineSize.Offset] = 0xff;
        c.WriteMask[CommonHeader.InterruptLine.Offset] = 0xff;
        c.SetWriteMask(CommonHeader.Command.Offset, 2,
            (uint)(CommandBits.Io | CommandBits.Memory | CommandBits.BusMaster | CommandBits.InterruptDisable | CommandBits.Serr));
        c.WriteMask[CommonHeader.Size..].Fill(0xff);
        // pci_init_w1cmask
        c.SetW1cMask(CommonHeader.Status.Offset, 2, (uint)StatusBits.QemuW1c);

        if (!IsBridge)
        {
            // pci_set_default_subsystem_id
            c.SetWord(Type0Header.SubsystemVendorId.Offset, id.SubsystemVendorId ?? DeviceIdentity.QemuSubsystemVendor);
            c.SetWord(Type0Header.SubsystemId.Offset, id.SubsystemId ?? DeviceIdentity.QemuSubsystem);
        }
        c.SetByte(CommonHeader.InterruptPin.Offset, id.InterruptPin);
        InitBridgeHeader(b);
    }

    /// <summary>Hook for <see cref="PciBridgeFunction"/> (pci_init_mask_bridge, pci_bridge_initfn).</summary>
    private protected virtual void InitBridgeHeader(ConfigSpaceBuilder b)
    {
    }

    /// <summary>x-pcie-extcap-init: a PCIe function without extended capabilities has dword 0x100 = 0, RO.</summary>
    private static void FinishExtendedSpace(ConfigSpaceBuilder b)
    {
        if (b.Config.IsExpress && !b.Capabilities.HasExtended)
        {
            b.Config.SetLong(ExtCapabilityId.ExtendedStart, 0);
            b.Config.SetWriteMask(ExtCapabilityId.ExtendedStart, 4, 0);
        }
    }

    /// <summary>The device's own realize: BARs, capabilities, register behaviour.</summary>
    protected abstract void Configure(ConfigSpaceBuilder b);

    /// <summary>
    /// A config read as the device answers it (pci_default_read_config): the device's read hook first when the read
    /// overlaps the bytes it declared (<see cref="ConfigSpaceBuilder.OnConfigRead"/>), then the bytes.
    /// </summary>
    public uint ReadConfig(int offset, int width)
    {
        var config = Config;
        if (HasReadHook(offset, width)) OnConfigRead(offset, width);
        return config.Read(offset, width);
    }

    /// <summary>True when a read of [offset, offset + width) must run <see cref="OnConfigRead"/> first.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool HasReadHook(int offset, int width) => offset < _readHookEnd && _readHookStart < offset + width;

    /// <summary>The side effect of a read of the bytes declared with <see cref="ConfigSpaceBuilder.OnConfigRead"/>, before the bytes are read.</summary>
    protected virtual void OnConfigRead(int offset, int width)
    {
    }

    /// <summary>A config write: the default masked write, then the device's side effects.</summary>
    public void WriteConfig(int offset, int width, uint value)
    {
        var config = Config;
        var old = config.Read(offset, width);
        config.Write(offset, width, value);
        var w = new ConfigWrite(offset, width, value, old);
        for (var i = 0; i < _writeHooks.Length; i++) _writeHooks[i](config, w);
        OnConfigWritten(w);
    }

    /// <summary>Side effects of a write, after the default write has been applied.</summary>
    protected virtual void OnConfigWritten(in ConfigWrite w)
    {
    }

    /// <summary>
    /// System or bus reset: the device's own reset hook first, then the generic steps of pci_do_device_reset
    /// (command, status, interrupt line and cache line cleared, BARs back to their type bits, MSI/MSI-X reset).
    /// </summary>
    public void Reset()
    {
        var c = Config;
        OnReset();
        var cmd = c.GetWord(CommonHeader.Command.Offset);
        var cmdMask = c.GetWriteMask(CommonHeader.Command.Offset, 2) | c.GetW1cMask(CommonHeader.Command.Offset, 2);
        c.SetWord(CommonHeader.Command.Offset, (ushort)(cmd & ~cmdMask));
        var status = c.GetWord(CommonHeader.Status.Offset);
        var statusMask = c.GetWriteMask(CommonHeader.Status.Offset, 2) | c.GetW1cMask(CommonHeader.Status.Offset, 2);
        c.SetWord(CommonHeader.Status.Offset, (ushort)(status & ~statusMask));
        var lineMask = c.WriteMask[CommonHeader.InterruptLine.Offset] | c.W1cMask[CommonHeader.InterruptLine.Offset];
        c.SetByte(CommonHeader.InterruptLine.Offset, (byte)(c.GetByte(CommonHeader.InterruptLine.Offset) & ~lineMask));
        c.SetByte(CommonHeader.CacheLineSize.Offset, 0);
        foreach (var bar in _bars)
        {
            var off = Type0Header.Bar(bar.Index).Offset;
            if (bar.Is64) c.SetQuad(off, bar.TypeBits);
            else c.SetLong(off, bar.TypeBits);
        }
        if (RomSize != 0) c.SetLong(RomOffset, 0);
        foreach (var action in _resetActions) action(c);
    }

    /// <summary>The device's own reset hook (runs before the generic reset steps, as in QEMU 7.2).</summary>
    protected virtual void OnReset()
    {
    }

    public int RomOffset => IsBridge ? Type1Header.RomAddress.Offset : Type0Header.RomAddress.Offset;

    public ushort Command => Config.GetWord(CommonHeader.Command.Offset);

    /// <summary>pci_bar_address: where a BAR decodes now, or <see cref="BarAddress.Unmapped"/>.</summary>
    public ulong GetBarAddress(BarDefinition bar, bool allowZeroAddress = false)
    {
        var c = Config;
        var cmd = (CommandBits)c.GetWord(CommonHeader.Command.Offset);
        var off = Type0Header.Bar(bar.Index).Offset;
        var size = bar.Size;
        if (bar.IsIo)
        {
            if ((cmd & CommandBits.Io) == 0) return BarAddress.Unmapped;
            ulong ioAddr = c.GetLong(off) & ~(uint)(size - 1);
            var ioLast = ioAddr + size - 1;
            if (ioLast <= ioAddr || ioLast >= uint.MaxValue || (!allowZeroAddress && ioAddr == 0)) return BarAddress.Unmapped;
            return ioAddr;
        }
        if ((cmd & CommandBits.Memory) == 0) return BarAddress.Unmapped;
        var addr = bar.Is64 ? c.GetQuad(off) : c.GetLong(off);
        addr &= ~(size - 1);
        var last = addr + size - 1;
        if (last <= addr || last == BarAddress.Unmapped || (!allowZeroAddress && addr == 0)) return BarAddress.Unmapped;
        if (!bar.Is64 && last >= uint.MaxValue) return BarAddress.Unmapped;
        return addr;
    }

    /// <summary>pci_bar_address for the ROM slot.</summary>
    public ulong GetRomAddress(bool allowZeroAddress = false)
    {
        if (RomSize == 0) return BarAddress.Unmapped;
        var c = Config;
        if (((CommandBits)c.GetWord(CommonHeader.Command.Offset) & CommandBits.Memory) == 0) return BarAddress.Unmapped;
        ulong raw = c.GetLong(RomOffset);
        if ((raw & BarBits.RomEnable) == 0) return BarAddress.Unmapped;
        var addr = raw & ~(RomSize - 1);
        var last = addr + RomSize - 1;
        if (last <= addr || last >= uint.MaxValue || (!allowZeroAddress && addr == 0)) return BarAddress.Unmapped;
        return addr;
    }

    public IReadOnlyList<CapabilityEntry> GetCapabilities() => CapabilityListBuilder.Walk(Config.ReadOnlyData);

    public override string ToString() => Id is null ? TypeName : $"{TypeName} ({Id})";
}
