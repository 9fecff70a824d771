using PciEmu.Fabric;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.Pseries;

/// <summary>
/// <c>-M pseries</c> (hw/ppc/spapr.c, QEMU 7.2: the alias of pseries-7.2): a PAPR logical partition whose PCI is
/// one or more sPAPR PHBs (hw/ppc/spapr_pci.c). No host-bridge function, no CF8/CFC, no ECAM: config space is reached
/// only through RTAS read-pci-config / write-pci-config naming the PHB's BUID. QEMU numbers the buses and builds the
/// device tree; the firmware (SLOF) assigns BARs and bridge windows.
/// </summary>
public sealed class PseriesMachineKind : MachineKind
{
    public static PseriesMachineKind Instance { get; } = new();

    private IReadOnlyList<MachineType>? _types;

    private PseriesMachineKind()
    {
    }

    public override string Name => "pseries";

    /// <summary>spapr_machine_class_init: mc->desc.</summary>
    public override string Description => "pSeries Logical Partition (PAPR compliant)";

    public override string? Family => "pseries";

    /// <summary>DEFINE_SPAPR_MACHINE(7_2, "7.2", true): the newest type, alias "pseries".</summary>
    public override IReadOnlyList<MachineType> Types => _types ??= [new MachineType(this, 7, 2)];

    public override string TypeName(MachineType type) => $"pseries-{type.Major}.{type.Minor}";

    private const string PhbDriver = "spapr-pci-host-bridge";

    /// <summary>spapr_machine_class_init: mc->pci_allow_0_address = true.</summary>
    public override bool PciAllowZeroAddress => true;

    /// <summary>spapr_get_hotplug_handler: every PCI device's handler is its PHB (DRCs), never a bridge's SHPC.</summary>
    public override bool HostHandlesPciHotplug => true;

    /// <summary>
    /// <c>-device spapr-pci-host-bridge,index=N[,id=ID][,mem_win_size=][,mem64_win_size=]</c>: spapr_phb_realize with
    /// spapr_phb_placement; its root bus is "ID.0", or the next automatic "pci.N".
    /// </summary>
    public override PlacedDevice? PlaceHostBridge(Machine machine, DeviceRequest request, bool hotplug)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Driver != PhbDriver) return null;
        if (hotplug) throw new QemuException("PHB hotplug is not modelled yet");
        int? index = null;
        ulong? memWinSize = null, mem64WinSize = null;
        foreach (var (k, v) in request.Properties)
        {
            switch (k)
            {
                case "index": index = (int)ParseUnsigned(k, v); break;
                case "mem_win_size": memWinSize = ParseSize(k, v); break;
                case "mem64_win_size": mem64WinSize = ParseSize(k, v); break;
                default: throw new QemuException($"Property '{PhbDriver}.{k}' not found");
            }
        }
        if (index is not { } i) throw new QemuException("\"index\" for PAPR PHB is mandatory");
        var w = SpaprPhbWindows.Place(i);
        w = w with { MemWinSize = memWinSize ?? w.MemWinSize, Mem64WinSize = mem64WinSize ?? w.Mem64WinSize };
        if (w.Mem64WinSize != 0 && w.MemWinSize > SpaprPhbWindows.Mem32WinSize)
            throw new QemuException($"32-bit memory window of size 0x{w.MemWinSize:x} (max 2 GiB)");
        var board = BoardOf(machine)!;
        if (board.FindPhb(w.Buid) is not null) throw new QemuException("PCI host bridges must have unique indexes");
        machine.TakeId(request.Id);
        var busName = request.Id is { } id ? id + ".0" : machine.NextAutomaticPciBusName();
        var host = machine.AddHostBridge(busName, isExpress: false);
        var decoder = machine.DecoderFor(host);
        decoder.HostTag = w.Buid;
        board.Add(new SpaprPhb(w, host.Root, new RtasPciConfig(decoder, w.Buid)));
        return new PlacedDevice(PhbDriver, request.Id, "main-system-bus", 0);
    }

    private static ulong ParseUnsigned(string name, string value) =>
        DevicesCatalog.Translate(() => PciEmu.Devices.Catalog.DeviceProperties.ParseUnsigned(name, value, uint.MaxValue, "uint32_t"));

    private static ulong ParseSize(string name, string value) =>
        DevicesCatalog.Translate(() => PciEmu.Devices.Catalog.DeviceProperties.ParseSize(name, value));

    /// <summary>The latest spapr type is mc->is_default on qemu-system-ppc64.</summary>
    public override bool IsDefault(MachineType type) => type == Latest;

    /// <summary>PHB 0's bus: spapr_create_phb(spapr, 0) gives it the id "pci.0"... its bus is named after the PHB ("pci.0").</summary>
    public override string RootBusName => "pci.0";

    public override bool RootBusIsExpress => false;

    /// <summary>Automatic bus ids continue after PHB 0's pci.0 (a bridge's anonymous bus is pci.1).</summary>
    public override bool RootBusTakesAutomaticId => true;

    public override bool HasCf8Cfc => false;

    public override TableArchitecture Architecture => TableArchitecture.Ppc64;

    /// <summary>The PHB has no PCI function of its own (no host bridge at 00:00.0).</summary>
    public override IReadOnlyList<DefaultDevice> DefaultDevices { get; } = [];

    /// <summary>No PCI display by default (the spapr default NIC spapr-vlan and the VTY are VIO devices, not PCI).</summary>
    public override string? DefaultDisplay => null;

    /// <summary>QEMU's pseries defaults are VIO devices: nothing on PCI.</summary>
    public override IReadOnlyList<DeviceRequest>? LauncherDevices(Machine machine) => [];

    /// <summary>SLOF sets up PCI on pseries (or nothing: --firmware none); an x86 or arm firmware is refused.</summary>
    public override string? PciFirmware => "slof";

    /// <summary>RAM only: the PHB windows sit at 32 TiB and above, away from RAM.</summary>
    public override MemoryLayout ComputeMemory(MachineOptions options, GlobalSet globals) => new() { RamSize = options.RamSize };

    /// <summary>spapr_machine_init → spapr_create_phb(spapr, 0): PHB 0 on the machine's root hierarchy.</summary>
    public override object? InitBoard(Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var board = new PseriesBoard();
        var w = SpaprPhbWindows.Place(0);
        board.Add(new SpaprPhb(w, machine.Hierarchy.Root, new RtasPciConfig(machine.Decoder, w.Buid)));
        return board;
    }

    /// <summary>The board state of a pseries machine; null on other kinds.</summary>
    public static PseriesBoard? BoardOf(Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        return machine.BoardState as PseriesBoard;
    }

    /// <summary>spapr_build_fdt's PCI part (rebuilt at CAS): every PHB node, its ranges and function nodes.</summary>
    public override FirmwareTables PublishTables(Machine machine) => new()
    {
        Architecture = TableArchitecture.Ppc64,
        DeviceTree = BoardOf(machine)!.BuildDeviceTree(),
    };
}
