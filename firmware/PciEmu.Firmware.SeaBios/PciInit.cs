using PciEmu.Fabric.FirmwareTables;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

/// <summary>panic(): SeaBIOS prints the message and halts.</summary>
internal sealed class SeaBiosPanicException(string message) : Exception(message);

/// <summary>
/// src/fw/pciinit.c (rel-1.16.2), ported function for function. The globals of pciinit.c, pcidevice.c and
/// paravirt.c that pci_setup reads or writes are fields of one instance, which lives for one boot. The
/// function bodies are split by topic: bus numbering (PciInit.Bus.cs), platform (PciInit.Platform.cs), sizing
/// (PciInit.Sizing.cs), mapping (PciInit.Mapping.cs), device init (PciInit.Devices.cs) and IGD (PciInit.Igd.cs).
/// </summary>
internal sealed partial class PciInit
{
    public const string BusInitBanner = "=== PCI bus & bridge init ===";

    private readonly SeaBiosEnvironment _env;
    private readonly SeaBiosOptions _options;
    private readonly DebugLog _log;
    private readonly PciConfig _pci;
    private readonly FwCfgReader _romfile;
    private readonly E820Map _e820;
    private readonly PciDevices _devices;
    private readonly SeaBiosStack _stack = new();
    private readonly BusLoopTracker _busLoop = new();

    // pciinit.c globals
    public ulong pcimem_start = BUILD_PCIMEM_START;
    public ulong pcimem_end;
    public ulong pcimem64_start = BUILD_PCIMEM64_START;
    public ulong pcimem64_end = BUILD_PCIMEM64_END;
    public ulong pci_io_low_end = PCI_IO_LOW_END_DEFAULT;

    /// <summary>pci_mem64_top (rel-1.16.3+): 1 &lt;&lt; phys-bits (capped), 0 when unknown.</summary>
    public ulong pci_mem64_top;

    /// <summary>pci_pad_mem64 (rel-1.16.3+): pad 64-bit hot-plug windows and always use the 64-bit window.</summary>
    public uint pci_pad_mem64;
    public ulong? IoBase;
    public ulong IoSum;
    private Func<PciDevice, int, int> pci_slot_get_irq;

    // BDFs remembered for pci_resume (S3); kept for fidelity and exposed for tests.
    public int PiixPmBDF = -1;
    public int ICH9LpcBDF = -1;
    public int ICH9SmbusBDF = -1;
    public int MCHMmcfgBDF = -1;

    // paravirt.c / timer.c globals pci_setup reads or writes
    private readonly uint RamSize;
    private readonly ulong RamSizeOver4G;
    private readonly ushort acpi_pm_base;
    public ushort acpi_pm1a_cnt;
    private bool _pmTimerChosen;

    /// <summary>CPUPhysBits / CPULongMode (paravirt.c, rel-1.16.3+), set by physbits() before pci_setup.</summary>
    public byte CPUPhysBits { get; init; }
    public bool CPULongMode { get; init; }

    private bool AtLeast(SeaBiosRelease release) => _options.Release >= release;
    public PciInit(SeaBiosEnvironment env, SeaBiosOptions options, DebugLog log, E820Map e820, uint ramSize, ulong ramSizeOver4G, ushort acpiPmBase)
    {
        _env = env;
        _options = options;
        _log = log;
        _e820 = e820;
        _pci = new PciConfig(env, log);
        _romfile = new FwCfgReader(env.FwCfg);
        _devices = new PciDevices(_pci, log, _romfile);
        RamSize = ramSize;
        RamSizeOver4G = ramSizeOver4G;
        acpi_pm_base = acpiPmBase;
        pcimem_end = options.PciMemEnd;
        _pmTimerChosen = options.TimerAlreadySetUp;
        pci_slot_get_irq = dummy_pci_slot_get_irq;
    }

    public int MaxPCIBus => _devices.MaxPCIBus;

    /// <summary>Bridges whose QEMU bus reservation rewound pci_bios_init_bus_rec's counter (bus numbers then overlap).</summary>
    public IReadOnlyList<string> BusCounterRewinds => _busLoop.AllRewinds;
    public IReadOnlyList<PciDevice> Devices => _devices.All;
    public ulong Mmconfig => _pci.Mmconfig;

    /// <summary>The config accessors as pci_setup left them (mmconfig on q35), for the POST steps that follow.</summary>
    internal PciConfig Config => _pci;

    internal FwCfgReader Romfile => _romfile;

    private IDisposable? Phase(string function) => _env.Phases?.Begin("seabios: " + function);

    /// <summary>panic(fmt): print and halt.</summary>
    private void panic(string message)
    {
        _log.Dprintf(1, message); // panic prints whenever CONFIG_DEBUG_LEVEL != 0
        throw new SeaBiosPanicException(message);
    }

    /// <summary>warn_noalloc(): "WARNING - Unable to allocate resource at %s:%d!".</summary>
    private void warn_noalloc(string function, int line) =>
        _log.Dprintf(1, $"WARNING - Unable to allocate resource at {function}:{line}!");

    /// <summary>The rel-1.16.3 / rel-1.17.0 prologue of pci_setup: pci_mem64_top and pci_pad_mem64.</summary>
    private void SetupMem64Limits()
    {
        const int Rel1163PhysBitsCap = 46;
        const int Rel1170PhysBitsCap = 44;
        const ulong HugeGuestRamOver4G = 1UL << 40;
        const int MinPaddingPhysBits = 36;
        const uint RomfileBoolUnset = uint.MaxValue;

        if (CPUPhysBits != 0)
        {
            pci_mem64_top = 1UL << CPUPhysBits;
            if (!AtLeast(SeaBiosRelease.Rel_1_17_0))
            {
                // Old linux kernels have trouble dealing with more than 46 phys-bits (virtio-pci driver bug).
                if (CPUPhysBits > Rel1163PhysBitsCap) pci_mem64_top = 1UL << Rel1163PhysBitsCap;
            }
            else if (CPUPhysBits > Rel1170PhysBitsCap && RamSizeOver4G < HugeGuestRamOver4G)
            {
                // ... 44 (i386 kernels) or 46 (x86_64 kernels), except in a guest with more than 1TB of RAM.
                pci_mem64_top = 1UL << Rel1170PhysBitsCap;
            }
        }

        if (!AtLeast(SeaBiosRelease.Rel_1_17_0))
        {
            if (CPUPhysBits >= MinPaddingPhysBits && CPULongMode && RamSizeOver4G != 0) pci_pad_mem64 = 1;
            return;
        }
        pci_pad_mem64 = _romfile.romfile_loadbool("opt/org.seabios/pci64", RomfileBoolUnset, _log);
        if (pci_pad_mem64 == RomfileBoolUnset)
            pci_pad_mem64 = RamSizeOver4G != 0 ? 1u : 0u; // when not set enable in case memory over 4G is present
        if (!CPULongMode) pci_pad_mem64 = 0; // force off for 32-bit CPUs
    }

    /// <summary>pci_setup. Returns false when it returned early (non-PCI system or !CONFIG_QEMU).</summary>
    public bool pci_setup()
    {
        if (!_options.ConfigQemu) return false;

        _log.Dprintf(3, "pci setup");

        if (AtLeast(SeaBiosRelease.Rel_1_16_3)) SetupMem64Limits();

        _log.Dprintf(1, BusInitBanner);
        if (_pci.pci_probe_host() != 0) return false;
        using (Phase(nameof(pci_bios_init_bus))) pci_bios_init_bus();

        _log.Dprintf(1, "=== PCI device probing ===");
        using (Phase(nameof(PciDevices.pci_probe_devices))) _devices.pci_probe_devices();

        pcimem_start = RamSize;
        using (Phase(nameof(pci_bios_init_platform))) pci_bios_init_platform();

        _log.Dprintf(1, "=== PCI new allocation pass #1 ===");
        var busses = new PciBusRegions[MaxPCIBus + 1];
        for (var i = 0; i < busses.Length; i++) busses[i] = new PciBusRegions();
        using (Phase(nameof(pci_bios_check_devices))) pci_bios_check_devices(busses);

        _log.Dprintf(1, "=== PCI new allocation pass #2 ===");
        using (Phase(nameof(pci_bios_map_devices))) pci_bios_map_devices(busses);

        using (Phase(nameof(pci_bios_init_devices))) pci_bios_init_devices();

        using (Phase(nameof(pci_enable_default_vga))) pci_enable_default_vga();
        return true;
    }
}
