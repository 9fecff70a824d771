namespace PciEmu.Core;

/// <summary>
/// Declares a function's registers: reset values and per-field behaviour (RW, RW1C, RO, HwInit). Computes
/// QEMU's byte masks and rejects a bit declared both writable and write-1-to-clear.
/// </summary>
public sealed class ConfigSpaceBuilder
{
    private readonly List<BarDefinition> _bars = [];
    private readonly List<Action<ConfigSpace>> _resetActions = [];
    private readonly List<ConfigWriteHook> _writeHooks = [];

    public ConfigSpaceBuilder(ConfigSpace config, bool isBridge)
    {
        Config = config;
        IsBridge = isBridge;
        Capabilities = new CapabilityListBuilder(config);
    }

    public ConfigSpace Config { get; }
    public bool IsBridge { get; }

    /// <summary>The function's generic options (capability builders read the PCIDevice-wide bits such as x-pcie-ext-tag).</summary>
    public PciDeviceOptions? Options { get; init; }

    public CapabilityListBuilder Capabilities { get; }
    public IReadOnlyList<BarDefinition> Bars => _bars;
    public ulong RomSize { get; private set; }
    internal IReadOnlyList<Action<ConfigSpace>> ResetActions => _resetActions;
    internal IReadOnlyList<ConfigWriteHook> WriteHooks => _writeHooks;

    /// <summary>The bytes whose reads have a side effect (<see cref="OnConfigRead"/>), as [start, end); empty by default.</summary>
    internal int ReadHookStart { get; private set; }
    internal int ReadHookEnd { get; private set; }

    public ConfigSpaceBuilder Init(Register r, uint value) => Init(r.Offset, r.Width, value);

    public ConfigSpaceBuilder Init(int offset, int width, uint value)
    {
        Config.Set(offset, width, value);
        return this;
    }

    /// <summary>Makes <paramref name="bits"/> of the register software-writable (adds to the write mask).</summary>
    public ConfigSpaceBuilder Rw(Register r, uint bits) => Rw(r.Offset, r.Width, bits);

    public ConfigSpaceBuilder Rw(int offset, int width, uint bits)
    {
        var w1c = Config.GetW1cMask(offset, width);
        if ((w1c & bits) != 0)
            throw new InvalidOperationException($"bits 0x{w1c & bits:x} at 0x{offset:x3} are already W1C");
        Config.SetWriteMask(offset, width, Config.GetWriteMask(offset, width) | bits);
        return this;
    }

    /// <summary>Sets the exact write mask of a register (replacing what was there).</summary>
    public ConfigSpaceBuilder WriteMask(Register r, uint mask) => WriteMask(r.Offset, r.Width, mask);

    public ConfigSpaceBuilder WriteMask(int offset, int width, uint mask)
    {
        var w1c = Config.GetW1cMask(offset, width);
        if ((w1c & mask) != 0)
            throw new InvalidOperationException($"bits 0x{w1c & mask:x} at 0x{offset:x3} are already W1C");
        Config.SetWriteMask(offset, width, mask);
        return this;
    }

    /// <summary>Makes <paramref name="bits"/> write-1-to-clear.</summary>
    public ConfigSpaceBuilder Rw1c(Register r, uint bits) => Rw1c(r.Offset, r.Width, bits);

    public ConfigSpaceBuilder Rw1c(int offset, int width, uint bits)
    {
        var wm = Config.GetWriteMask(offset, width);
        if ((wm & bits) != 0)
            throw new InvalidOperationException($"bits 0x{wm & bits:x} at 0x{offset:x3} are already RW");
        Config.SetW1cMask(offset, width, Config.GetW1cMask(offset, width) | bits);
        return this;
    }

    /// <summary>Makes the whole register read-only (no writable, no W1C bits).</summary>
    public ConfigSpaceBuilder Ro(Register r) => Ro(r.Offset, r.Width);

    public ConfigSpaceBuilder Ro(int offset, int width)
    {
        Config.SetWriteMask(offset, width, 0);
        Config.SetW1cMask(offset, width, 0);
        return this;
    }

    /// <summary>A read-only register with a value set by hardware at initialisation.</summary>
    public ConfigSpaceBuilder HwInit(Register r, uint value) => HwInit(r.Offset, r.Width, value);

    public ConfigSpaceBuilder HwInit(int offset, int width, uint value) => Init(offset, width, value).Ro(offset, width);

    /// <summary>Clears bits from the write mask.</summary>
    public ConfigSpaceBuilder ClearWritable(Register r, uint bits) => ClearWritable(r.Offset, r.Width, bits);

    public ConfigSpaceBuilder ClearWritable(int offset, int width, uint bits)
    {
        Config.SetWriteMask(offset, width, Config.GetWriteMask(offset, width) & ~bits);
        return this;
    }

    /// <summary>pci_register_bar: type bits RO, address bits ~(size-1) writable (64-bit across the pair).</summary>
    public ConfigSpaceBuilder Bar(BarDefinition bar)
    {
        bar.Validate();
        var maxBars = IsBridge ? Type1Header.BarCount : Type0Header.BarCount;
        if (bar.Index < 0 || bar.Index + (bar.Is64 ? 1 : 0) >= maxBars)
            throw new ArgumentOutOfRangeException(nameof(bar), $"BAR {bar.Index} does not fit a type-{(IsBridge ? 1 : 0)} header");
        if (_bars.Exists(b => b.Index == bar.Index || (b.Is64 && b.Index + 1 == bar.Index) || (bar.Is64 && bar.Index + 1 == b.Index)))
            throw new InvalidOperationException($"BAR {bar.Index} is already registered");
        var offset = Type0Header.Bar(bar.Index).Offset;
        var wmask = ~(bar.Size - 1);
        if (bar.Is64)
        {
            Config.SetQuad(offset, bar.TypeBits);
            Config.SetWriteMask(offset, 4, (uint)wmask);
            Config.SetWriteMask(offset + 4, 4, (uint)(wmask >> 32));
        }
        else
        {
            Config.SetLong(offset, bar.TypeBits);
            Config.SetWriteMask(offset, 4, (uint)wmask);
        }
        _bars.Add(bar);
        return this;
    }

    /// <summary>pci_register_bar for PCI_ROM_SLOT: the enable bit and ~(size-1) writable.</summary>
    public ConfigSpaceBuilder Rom(ulong size)
    {
        new BarDefinition(0, BarKind.Memory32, size).Validate();
        var offset = IsBridge ? Type1Header.RomAddress.Offset : Type0Header.RomAddress.Offset;
        Config.SetLong(offset, 0);
        Config.SetWriteMask(offset, 4, (uint)~(size - 1) | BarBits.RomEnable);
        RomSize = size;
        return this;
    }

    /// <summary>A step of the generic device reset that a capability needs (e.g. msi_reset, msix_reset).</summary>
    public ConfigSpaceBuilder OnGenericReset(Action<ConfigSpace> action)
    {
        _resetActions.Add(action);
        return this;
    }

    /// <summary>
    /// A step of the default config write a capability needs (pci_default_write_config's msi_write_config /
    /// msix_write_config calls): runs after the masked update, before the device's own write hook.
    /// </summary>
    public ConfigSpaceBuilder OnGenericWrite(ConfigWriteHook hook)
    {
        _writeHooks.Add(hook);
        return this;
    }

    /// <summary>
    /// Declares that a read overlapping [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// runs the function's <see cref="PciFunction.OnConfigRead"/> first (QEMU's config_read hooks, e.g.
    /// pcie_sync_bridge_lnk). Reads of other bytes return config space as it is. Several calls widen the range.
    /// </summary>
    public ConfigSpaceBuilder OnConfigRead(int offset, int length)
    {
        var end = offset + length;
        if (ReadHookEnd == ReadHookStart)
        {
            ReadHookStart = offset;
            ReadHookEnd = end;
        }
        else
        {
            ReadHookStart = Math.Min(ReadHookStart, offset);
            ReadHookEnd = Math.Max(ReadHookEnd, end);
        }
        return this;
    }
}

/// <summary>A generic write step registered by a capability (see <see cref="ConfigSpaceBuilder.OnGenericWrite"/>).</summary>
public delegate void ConfigWriteHook(ConfigSpace config, in ConfigWrite write);
