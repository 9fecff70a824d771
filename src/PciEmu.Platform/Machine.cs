using PciEmu.Core;
using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>
/// A pc or q35 machine: RAM layout, fw_cfg, the CPU bus with the CF8/CFC host, the 0xCF9 reset control
/// register and (q35) the ECAM window the MCH's PCIEXBAR places, the PCI hierarchy with the machine's default
/// devices, ACPI facts and the hot-plug controller. Drivers reach config space only through <see cref="Cf8"/>
/// and <see cref="EcamAt"/>; nothing hands out device objects.
/// </summary>
public sealed partial class Machine
{
    /// <summary>PIIX3 RCR keeps bit 1 (SYS_RST); ICH9 RST_CNT keeps bits 3 (FULL_RST) and 1.</summary>
    private const byte PiixResetKeptBits = 0x02;
    private const byte Ich9ResetKeptBits = 0x0a;

    /// <summary>Q35 MCH PCIEXBAR reset value: 0xb0000000, 256 MiB, disabled (MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT).</summary>
    public const ulong DefaultEcamBase = 0xb0000000;
    public const ulong DefaultEcamSize = 256 * QemuValues.MiB;

    private readonly PciHierarchy _hierarchy;
    private readonly PciConfigDecoder _decoder;
    private readonly IDeviceCatalog _catalog;
    private readonly EcamHost? _ecam;
    private readonly AcpiPciHotplug? _acpiHotplug;
    private readonly List<string> _warnings = [];
    private readonly FwCfg _fwCfg;

    internal Machine(MachineOptions options)
    {
        Options = options;
        _catalog = options.Catalog ?? DevicesCatalog.Instance;
        Type = options.Type;
        var isPc = Type.Kind == MachineKind.Pc;
        var globals = new GlobalSet(options.Globals);
        Memory = MemoryLayout.Compute(options) with
        {
            PciHole64Size = globals.TakeSize(isPc ? "i440FX-pcihost" : "q35-pcihost", "pci-hole64-size")
                            ?? (isPc ? MemoryLayout.PcHole64Size : MemoryLayout.Q35Hole64Size),
        };
        _fwCfg = MachineFwCfg.Build(Memory);
        Acpi = isPc
            ? AcpiFacts.For(MachineKind.Pc,
                globals.TakeBool("PIIX4_PM", "acpi-pci-hotplug-with-bridge-support") ?? Type.IsAtLeast(2, 0),
                globals.TakeBool("PIIX4_PM", "acpi-root-pci-hotplug") ?? true)
            : AcpiFacts.For(MachineKind.Q35,
                globals.TakeBool("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support") ?? Type.IsAtLeast(6, 1),
                false);
        Globals = globals;

        Cpu = new CpuBus(options.Cost);
        var root = PciBus.CreateRoot(isPc ? "pci.0" : "pcie.0", isExpress: !isPc);
        _hierarchy = new PciHierarchy(root);
        _decoder = new PciConfigDecoder(_hierarchy, Cpu);
        var cf8 = new Cf8CfcHost(_decoder);
        cf8.Map(Cpu);
        ResetControl = new ResetControlRegister(isPc ? PiixResetKeptBits : Ich9ResetKeptBits);
        ResetControl.Map(Cpu);
        ResetControl.ResetRequested += Reset;
        Cf8 = new Cf8CfcAccessor(Cpu);
        if (!isPc) _ecam = new EcamHost(_decoder);
        if (Acpi.AcpiHotplugIoBase is { } hpBase)
        {
            _acpiHotplug = new AcpiPciHotplug(this);
            Cpu.MapPort(hpBase, AcpiPciHotplug.RegisterBlockSize, _acpiHotplug);
        }
        CreateDefaultDevices();
        // xenfv (Machines/Xenfv): pc_xen_hvm_init's xen-platform device after the pc chipset.
        if (Type.IsXenfv) Xen = Machines.Xenfv.XenfvMachine.Init(this, options.Xen);
    }

    /// <summary>The Xen side of an xenfv machine (xl config, RAM layout, hvmloader's ACPI info); null on pc/q35.</summary>
    public Machines.Xenfv.XenfvState? Xen { get; }

    public MachineOptions Options { get; }
    public MachineType Type { get; }
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
    /// The 64-bit hole (i440fx/q35 get_pci_hole64_start/end): the lowest/highest 64-bit range firmware put on the
    /// root bus (64-bit BARs above 4 GiB, 64-bit prefetchable bridge windows), else the defaults.
    /// </summary>
    public (ulong Start, ulong End) PciHole64
    {
        get
        {
            var (lo, hi) = PciSnapshot.Capture(this).Root64BitRange();
            var start = lo ?? Memory.PciHole64DefaultStart;
            var end = Math.Max(hi ?? 0, MemoryLayout.RoundUp(Memory.PciHole64DefaultStart + Memory.PciHole64Size, QemuValues.GiB));
            return (start, end);
        }
    }

    /// <summary>The PCI domain, for reports and tools that name registers (the trace); drivers use the accessors.</summary>
    public PciHierarchy Hierarchy => _hierarchy;
    internal IDeviceCatalog Catalog => _catalog;

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
    }

    /// <summary>A read-only copy of every function's config bytes and masks, for the views.</summary>
    public PciSnapshot Snapshot() => PciSnapshot.Capture(this);
}
