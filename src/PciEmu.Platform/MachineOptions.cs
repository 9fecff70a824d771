using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>
/// A QEMU machine type: its kind (one folder under Machines/) and version (e.g. pc-q35-7.2 is Q35, 7, 2; an
/// unversioned kind uses 0.0).
/// </summary>
public sealed record MachineType(MachineKind Kind, int Major, int Minor)
{
    /// <summary>The newest machine type of QEMU 7.2, what the aliases pc and q35 point to.</summary>
    public const int LatestMajor = 7;
    public const int LatestMinor = 2;

    public static MachineType Pc => MachineKind.Pc.Latest;
    public static MachineType Q35 => MachineKind.Q35.Latest;

    /// <summary>The canonical QEMU name, e.g. "pc-i440fx-7.2".</summary>
    public string Name => Kind.TypeName(this);

    public bool IsAtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    /// <summary>find_machine (softmmu/vl.c) over every registered kind (<see cref="MachineKinds"/>).</summary>
    public static MachineType? Find(string name) => MachineKinds.Find(name);

    public override string ToString() => Name;
}

/// <summary>One <c>-global DRIVER.PROP=VALUE</c>.</summary>
public sealed record GlobalProperty(string Driver, string Property, string Value)
{
    public override string ToString() => $"{Driver}.{Property}={Value}";
}

/// <summary>Everything a machine is built from (no many-argument constructors: set what you need).</summary>
public sealed record MachineOptions
{
    /// <summary>x86's default_ram_size: 128 MiB.</summary>
    public const ulong DefaultRamSize = 128 * QemuValues.MiB;

    public MachineType Type { get; init; } = MachineType.Q35;

    /// <summary>-m size (already aligned the way vl.c does).</summary>
    public ulong RamSize { get; init; } = DefaultRamSize;

    /// <summary>-m maxmem=; when above <see cref="RamSize"/> QEMU reserves a memory hot-plug area.</summary>
    public ulong? MaxRamSize { get; init; }

    /// <summary>-m slots= (memory hot-plug slots; only matters with maxmem).</summary>
    public ulong MemorySlots { get; init; }

    /// <summary>-M ...,max-ram-below-4g= (0 = machine default).</summary>
    public ulong MaxRamBelow4G { get; init; }

    public IReadOnlyList<GlobalProperty> Globals { get; init; } = [];

    /// <summary>Where device models come from: null means PciEmu.Devices (<see cref="DevicesCatalog"/>); tests pass doubles.</summary>
    public IDeviceCatalog? Catalog { get; init; }

    public ICostModel? Cost { get; init; }

    /// <summary>-cpu (x86): vendor, phys-bits, pdpe1gb; null: qemu64 under TCG.</summary>
    public X86Cpu? Cpu { get; init; }

    /// <summary>-fw_cfg name=NAME,string=TEXT|file=… items the user adds (vl.c parse_fw_cfg), in command-line order.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> FwCfgFiles { get; init; } = [];

    /// <summary>Configuration only one machine kind reads, in its own type (xenfv: its XlConfig); null: the kind's defaults.</summary>
    public object? BoardConfig { get; init; }
}
