using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform;

/// <summary>A function a machine kind creates at a fixed address of its root bus (its chipset, not user-creatable).</summary>
public readonly record struct DefaultDevice(string Driver, int Slot, int Function, bool Multifunction);

/// <summary>
/// A machine kind (QEMU's MachineClass family: <c>-M pc</c>, <c>-M q35</c>): one folder under Machines/ holding its
/// memory map, host bridge and chipset functions, hot-plug controllers and the firmware tables it publishes. The
/// generic <see cref="Machine"/> asks its kind for everything that differs between boards; a new board is a new
/// subclass registered with <see cref="MachineKinds.Register"/>, no platform file changes.
/// </summary>
public abstract class MachineKind
{
    /// <summary>i440FX + PIIX3 (Machines/Pc).</summary>
    public static MachineKind Pc => Machines.Pc.PcMachineKind.Instance;

    /// <summary>Q35 MCH + ICH9 (Machines/Q35).</summary>
    public static MachineKind Q35 => Machines.Q35.Q35MachineKind.Instance;

    /// <summary>arm virt with the GPEX PCIe host (Machines/Virt).</summary>
    public static MachineKind Virt => Machines.Virt.VirtMachineKind.Instance;

    /// <summary>The <c>-M</c> name (QEMU's alias for versioned kinds: "pc", "q35"); the registry key.</summary>
    public abstract string Name { get; }

    /// <summary>mc->desc, as <c>-M help</c> prints it.</summary>
    public abstract string Description { get; }

    /// <summary>mc->desc of one type (versioned descriptions such as "QEMU 11.1 ARM Virtual Machine"); default <see cref="Description"/>.</summary>
    public virtual string TypeDescription(MachineType type) => Description;

    /// <summary>mc->family: versioned types of one family sort together in <c>-M help</c>; null for a standalone type.</summary>
    public virtual string? Family => null;

    /// <summary>The registered machine types, newest first; the first is what <see cref="Name"/> resolves to.</summary>
    public virtual IReadOnlyList<MachineType> Types => [new MachineType(this, 0, 0)];

    /// <summary>The type the bare name selects (mc->alias): the newest, unless the kind says otherwise.</summary>
    public virtual MachineType Latest => Types[0];

    /// <summary>mc->name of a type (e.g. "pc-i440fx-7.2"); an unversioned kind is just its name.</summary>
    public virtual string TypeName(MachineType type) => Name;

    /// <summary>mc->is_default: the type QEMU picks without -M.</summary>
    public virtual bool IsDefault(MachineType type) => false;

    /// <summary>find_machine: the alias, or one of the type names.</summary>
    public virtual MachineType? Find(string name)
    {
        if (name == Name) return Latest;
        foreach (var t in Types)
        {
            if (TypeName(t) == name) return t;
        }
        return null;
    }

    /// <summary>The root bus's qdev name ("pci.0", "pcie.0") and whether it is PCI Express.</summary>
    public abstract string RootBusName { get; }
    public abstract bool RootBusIsExpress { get; }

    /// <summary>True when the root bus's name is the first automatic "pci.N" id (pc), so bridges start at pci.1.</summary>
    public virtual bool RootBusTakesAutomaticId => false;

    /// <summary>The host has the CONFIG_ADDRESS/CONFIG_DATA ports at 0xCF8 (x86 host bridges).</summary>
    public virtual bool HasCf8Cfc => true;

    /// <summary>Bits of the 0xCF9 reset control register a reset keeps; null when the board has none.</summary>
    public virtual byte? ResetControlKeptBits => null;

    /// <summary>The board decodes an ECAM window placed by its host bridge (<see cref="IEcamWindowSource"/>).</summary>
    public virtual bool HasEcam => false;

    /// <summary>An ECAM window the board fixes at init (gpex's create_pcie) rather than a chipset register placing it; null by default.</summary>
    public virtual (ulong Base, ulong Size)? FixedEcamWindow(MachineOptions options) => null;

    /// <summary>The architecture whose firmware and OS run on the board (SeaBIOS needs x86).</summary>
    public virtual TableArchitecture Architecture => TableArchitecture.X86;

    /// <summary>hw_compat x-pcie-ext-tag: PCIe functions advertise Extended Tags (QEMU 9.2+ machine types).</summary>
    public virtual bool PcieExtTag(MachineType type) => false;

    /// <summary>hw_compat x-pcie-err-unc-mask: AER's uncorrectable mask register is writable with QEMU 8.1+'s defaults.</summary>
    public virtual bool PcieErrUncMask(MachineType type) => false;

    /// <summary>The display pc_vga_init adds without -nodefaults when the command line has none; null when the board adds none.</summary>
    public virtual string? DefaultDisplay => "VGA";

    /// <summary>The functions created at machine init (host bridge, chipset), in creation order.</summary>
    public abstract IReadOnlyList<DefaultDevice> DefaultDevices { get; }

    /// <summary>The NIC QEMU adds without -nodefaults (mc->default_nic).</summary>
    public virtual string DefaultNic => "e1000";

    /// <summary>RAM split, holes and the e820 the board hands firmware; consumes the globals it reads (e.g. pci-hole64-size).</summary>
    public abstract MemoryLayout ComputeMemory(MachineOptions options, GlobalSet globals);

    /// <summary>The ACPI hot-plug model of the board for a type and the globals (consumed here).</summary>
    public virtual AcpiFacts ComputeAcpi(MachineType type, GlobalSet globals) => AcpiFacts.NoAcpi;

    /// <summary>
    /// The -device lines the board's launcher puts on QEMU's command line in place of QEMU's default VGA and NIC
    /// (libxl for xenfv, which always passes -nodefaults); null: QEMU's own defaults apply.
    /// </summary>
    public virtual IReadOnlyList<DeviceRequest>? LauncherDevices(Machine machine) => null;

    /// <summary>The firmware that owns PCI setup on this board (xenfv: "hvmloader"); null when any firmware may run.</summary>
    public virtual string? PciFirmware => null;

    /// <summary>
    /// Board init after the chipset functions exist (pc_xen_hvm_init's steps after pc_init1, for one): may add
    /// functions and returns the board's own state (kept as <see cref="Machine.BoardState"/>); default: nothing.
    /// </summary>
    public virtual object? InitBoard(Machine machine) => null;

    /// <summary>mc->pci_allow_0_address: a BAR programmed to address 0 decodes (pseries); false on PC-style boards.</summary>
    public virtual bool PciAllowZeroAddress => false;

    /// <summary>
    /// The machine's get_hotplug_handler routes every PCI device to its host bridge (spapr: the PHB), so a bridge's own
    /// hot-plug controller (SHPC) never sees its children plugged; false: the bus's own controller handles them.
    /// </summary>
    public virtual bool HostHandlesPciHotplug => false;

    /// <summary>
    /// A -device that creates another host bridge with its own root bus (spapr-pci-host-bridge); null when
    /// <paramref name="request"/> is not one of the board's host devices (the catalog then handles it).
    /// </summary>
    public virtual PlacedDevice? PlaceHostBridge(Machine machine, DeviceRequest request, bool hotplug) => null;

    /// <summary>fw_cfg content the board gives firmware at init (devices add files as they are plugged).</summary>
    public virtual FwCfg BuildFwCfg(MemoryLayout memory) => MachineFwCfg.Build(memory);

    /// <summary>
    /// What the board's firmware tables tell a guest about PCI, computed host-side from the machine as it is now
    /// (call it after the firmware's PCI setup): ACPI or a device tree, the memory map. Default: nothing.
    /// </summary>
    public virtual FirmwareTables PublishTables(Machine machine) => FirmwareTables.Empty;

    public override string ToString() => Name;
}

/// <summary>
/// The registry of machine kinds (QEMU's machine class list): pc, q35, virt and xenfv built in, more with <see cref="Register"/>.
/// </summary>
public static class MachineKinds
{
    private static readonly object Gate = new();
    private static List<MachineKind>? _kinds;

    private static List<MachineKind> Kinds => _kinds ??= [MachineKind.Pc, MachineKind.Q35, MachineKind.Virt, Machines.Xenfv.XenfvMachineKind.Instance, Machines.Pseries.PseriesMachineKind.Instance];

    public static IReadOnlyList<MachineKind> All
    {
        get
        {
            lock (Gate) return Kinds.ToArray();
        }
    }

    /// <summary>Adds a kind (idempotent for the same instance); a second kind with a taken name is an error.</summary>
    public static void Register(MachineKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (Gate)
        {
            if (Kinds.Contains(kind)) return;
            if (Kinds.Any(k => k.Name == kind.Name)) throw new InvalidOperationException($"machine kind '{kind.Name}' is already registered");
            Kinds.Add(kind);
        }
    }

    /// <summary>find_machine (softmmu/vl.c): the first kind that knows the name.</summary>
    public static MachineType? Find(string name)
    {
        foreach (var k in All)
        {
            if (k.Find(name) is { } t) return t;
        }
        return null;
    }

    /// <summary>is_help_option (util/qemu-option.c): "help" or "?".</summary>
    public static bool IsHelpOption(string value) => value is "help" or "?";

    /// <summary>machine_help_func (softmmu/vl.c): "Supported machines are:" then one line per type, aliases first.</summary>
    public static string Help()
    {
        var types = All.SelectMany(k => k.Types).ToList();
        types.Sort(MachineClassCmp);
        var w = new System.Text.StringBuilder();
        w.Append("Supported machines are:\n");
        foreach (var t in types)
        {
            var name = t.Name;
            var desc = t.Kind.TypeDescription(t);
            if (t.Kind.Latest == t && t.Kind.Name != name) w.Append($"{t.Kind.Name,-20} {desc} (alias of {name})\n");
            w.Append($"{name,-20} {desc}{(t.Kind.IsDefault(t) ? " (default)" : "")}\n");
        }
        return w.ToString();
    }

    /// <summary>machine_class_cmp: families alphabetically before standalone types; newest (strcmp-greatest) first in a family.</summary>
    private static int MachineClassCmp(MachineType a, MachineType b)
    {
        var fa = a.Kind.Family;
        var fb = b.Kind.Family;
        if (fa is null) return fb is null ? string.CompareOrdinal(ClassName(a), ClassName(b)) : 1;
        if (fb is null) return -1;
        var res = string.CompareOrdinal(fa, fb);
        return res != 0 ? res : string.CompareOrdinal(ClassName(b), ClassName(a));
    }

    /// <summary>MACHINE_TYPE_NAME: the QOM class name of a machine type.</summary>
    private static string ClassName(MachineType t) => t.Name + "-machine";
}
