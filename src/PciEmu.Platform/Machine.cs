using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform;

/// <summary>
/// A machine of some <see cref="MachineKind"/> (pc, q35, ...): RAM layout, fw_cfg, the CPU bus with the CF8/CFC host, the 0xCF9 reset control
/// register and (q35) the ECAM window the MCH's PCIEXBAR places, the PCI hierarchy with the machine's default
/// devices, ACPI facts and the hot-plug controller. Drivers reach config space only through <see cref="Cf8"/>
/// and <see cref="EcamAt"/>; nothing hands out device objects.
/// </summary>
public sealed partial class Machine
{
    /// <summary>Q35 MCH PCIEXBAR reset value: 0xb0000000, 256 MiB, disabled (MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT).</summary>
    public const ulong DefaultEcamBase = 0xb0000000;
    public const ulong DefaultEcamSize = 256 * QemuValues.MiB;

    private readonly PciHierarchy _hierarchy;
    private readonly PciConfigDecoder _decoder;
    private readonly IDeviceCatalog _catalog;
    private readonly EcamHost? _ecam;
    private readonly AcpiPciHotplug? _acpiHotplug;
    private Ich9PmIo? _ich9Pm;
    private readonly List<string> _warnings = [];
    private readonly FwCfg _fwCfg;

    internal Machine(MachineOptions options)
    {
        Options = options;
        _catalog = options.Catalog ?? DevicesCatalog.Instance;
        Type = options.Type;
        Kind = Type.Kind;
        var globals = new GlobalSet(options.Globals);
        Memory = Kind.ComputeMemory(options, globals);
        _fwCfg = Kind.BuildFwCfg(Memory);
        foreach (var (name, data) in options.FwCfgFiles) _fwCfg.AddFile(name, data);
        Acpi = Kind.ComputeAcpi(Type, globals);
        Globals = globals;

        Cpu = new CpuBus(options.Cost);
        var root = PciBus.CreateRoot(Kind.RootBusName, isExpress: Kind.RootBusIsExpress);
        _hierarchy = new PciHierarchy(root);
        _decoder = new PciConfigDecoder(_hierarchy, Cpu);
        if (Kind.HasCf8Cfc) new Cf8CfcHost(_decoder).Map(Cpu);
        ResetControl = new ResetControlRegister(Kind.ResetControlKeptBits ?? 0);
        if (Kind.ResetControlKeptBits is not null)
        {
            ResetControl.Map(Cpu);
            ResetControl.ResetRequested += Reset;
        }
        Cf8 = new Cf8CfcAccessor(Cpu);
        if (Kind.HasEcam) _ecam = new EcamHost(_decoder);
        // A host whose ECAM window the board fixes (gpex on arm virt: create_pcie), not a chipset register.
        if (_ecam is not null && Kind.FixedEcamWindow(options) is { } fixedEcam) _ecam.Update(true, fixedEcam.Base, fixedEcam.Size);
        if (Acpi.AcpiHotplugIoBase is { } hpBase)
        {
            _acpiHotplug = new AcpiPciHotplug(this);
            Cpu.MapPort(hpBase, AcpiPciHotplug.RegisterBlockSize, _acpiHotplug);
        }
        else if (Acpi.AcpiHotplugMmioBase is { } hpMmio)
        {
            // The block memory-mapped (arm virt's acpi-ged: VIRT_ACPI_PCIHP).
            _acpiHotplug = new AcpiPciHotplug(this);
            Cpu.MapMmio(hpMmio, AcpiPciHotplug.RegisterBlockSize, new PortBlockMmio(_acpiHotplug));
        }
        CreateDefaultDevices();
        BoardState = Kind.InitBoard(this);
    }

    /// <summary>What the kind's <see cref="MachineKind.InitBoard"/> keeps about this machine (xenfv: XenfvState); null on pc/q35.</summary>
    public object? BoardState { get; }

    public MachineOptions Options { get; }
    public MachineType Type { get; }

    /// <summary>The board (Machines/&lt;Kind&gt;): memory map, chipset, hot-plug model, tables.</summary>
    public MachineKind Kind { get; }
    public MemoryLayout Memory { get; }
    public IFwCfg FwCfg => _fwCfg;
    public AcpiFacts Acpi { get; }
    public CpuBus Cpu { get; }
    public ResetControlRegister ResetControl { get; }

    /// <summary>The -global properties not consumed by the platform (warnings name the unused ones).</summary>
    internal GlobalSet Globals { get; }

    /// <summary>Non-fatal diagnostics QEMU prints as warnings (e.g. a -global for an unknown driver).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Config access through CONFIG_ADDRESS/CONFIG_DATA.</summary>
    public IConfigAccessor Cf8 { get; }

    /// <summary>Config access through an ECAM window at <paramref name="base"/> (it decodes only if the MCH maps it there).</summary>
    public IConfigAccessor EcamAt(ulong @base) => new EcamAccessor(Cpu, @base);

    /// <summary>The live ECAM window (q35), or null on pc / while PCIEXBAR is disabled.</summary>
    public (ulong Base, ulong Size)? Ecam => _ecam is { IsMapped: true } e ? (e.Base, e.Size) : null;

    /// <summary>The root bus name ("pci.0" or "pcie.0").</summary>
    public string RootBusName => _hierarchy.Root.Name;

    /// <summary>
    /// The 32-bit PCI hole as the DSDT describes it now: [below-4G RAM, IOAPIC), on q35 starting above an enabled
    /// ECAM window (mch_update_pciexbar sets pci_hole to [PCIEXBAR end, IOAPIC)).
    /// </summary>
    public (ulong Start, ulong End) PciHole32
    {
        get
        {
            if (_ecam is { IsMapped: true } e) return (e.Base + e.Size, MemoryLayout.IoApicBase);
            return (Memory.PciHole32Start, Memory.PciHole32End);
        }
    }

    /// <summary>
    /// The 64-bit hole (i440fx/q35 get_pci_hole64_start_value / get_pci_hole64_end_value with pci_hole64_fix):
    /// pci_bus_get_w64_range of the root bus (what firmware mapped above 4 GiB), else pc_pci_hole64_start; the end is
    /// the higher of that range's end and ROUND_UP(start + pci-hole64-size, 1 GiB). Returns [Start, End).
    /// </summary>
    public (ulong Start, ulong End) PciHole64
    {
        get
        {
            var (lo, hi) = PciSnapshot.CaptureHeaders(this, rootOnly: true).Root64BitRange();
            var start = lo ?? Memory.PciHole64DefaultStart;
            var end = Math.Max(hi ?? 0, MemoryLayout.RoundUp(start + Memory.PciHole64Size, QemuValues.GiB));
            return (start, end);
        }
    }

    /// <summary>The PCI domain, for reports and tools that name registers (the trace); drivers use the accessors.</summary>
    public PciHierarchy Hierarchy => _hierarchy;

    private readonly List<PciHierarchy> _extraHosts = [];

    /// <summary>Every host bridge's hierarchy in creation order: the machine's own first, then board host devices (PHBs).</summary>
    public IReadOnlyList<PciHierarchy> Hosts => [_hierarchy, .. _extraHosts];

    /// <summary>A further host bridge with its own root bus (a board's host device); returns its hierarchy.</summary>
    internal PciHierarchy AddHostBridge(string busName, bool isExpress)
    {
        var h = new PciHierarchy(PciBus.CreateRoot(busName, isExpress));
        _extraHosts.Add(h);
        return h;
    }

    /// <summary>A config decoder for a further host's hierarchy on this machine's CPU bus.</summary>
    internal PciConfigDecoder DecoderFor(PciHierarchy host) => ReferenceEquals(host, _hierarchy) ? _decoder : new PciConfigDecoder(host, Cpu);

    /// <summary>Registers a qdev id taken by a board host device (ids are unique machine-wide).</summary>
    internal void TakeId(string? id)
    {
        if (id is null) return;
        if (!QdevId.IsWellFormed(id)) throw new QemuException(QdevId.BadIdMessage);
        if (!_ids.Add(id)) throw new QemuException(QdevId.Duplicate(id));
    }
    internal IDeviceCatalog Catalog => _catalog;

    /// <summary>The host side of config cycles on the root hierarchy, for boards whose host is not CF8/CFC or ECAM (sPAPR RTAS).</summary>
    internal PciConfigDecoder Decoder => _decoder;

    public void Warn(string message) => _warnings.Add(message);

    /// <summary>Hooks the ECAM window to a host bridge that reports PCIEXBAR (the q35 MCH).</summary>
    private void AttachEcamSource(PciFunction hostBridge)
    {
        if (_ecam is null) return;
        if (_catalog.GetEcamWindowSource(hostBridge) is { } source)
            source.EcamWindowChanged += (enable, @base, size) => _ecam.Update(enable, @base, size);
    }

    /// <summary>
    /// qemu_system_reset: every device on every bus gets its reset (bridges reset their secondary buses),
    /// the ACPI hot-plug state is cleared. The MCH's own reset re-reports a disabled PCIEXBAR.
    /// </summary>
    public void Reset()
    {
        foreach (var bus in _hierarchy.AllBuses())
        {
            foreach (var (_, f) in bus.Functions) f.Reset();
        }
        _acpiHotplug?.Reset();
        _ich9Pm?.Reset();
    }

    /// <summary>
    /// The firmware tables the board publishes now (<see cref="MachineKind.PublishTables"/>): ACPI facts or a device
    /// tree, host-side, no config cycles. Call after the firmware ran: QEMU rebuilds them when firmware reads them.
    /// </summary>
    public FirmwareTables PublishTables() => Kind.PublishTables(this);

    /// <summary>A read-only copy of every function's config bytes and masks, for the views.</summary>
    public PciSnapshot Snapshot() => PciSnapshot.Capture(this);
}
