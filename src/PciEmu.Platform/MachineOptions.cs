using System.Globalization;
using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>The x86 machines PciEmu models.</summary>
public enum MachineKind
{
    /// <summary>i440FX + PIIX3 (<c>-M pc</c>, pc-i440fx-N.M).</summary>
    Pc,

    /// <summary>Q35 MCH + ICH9 (<c>-M q35</c>, pc-q35-N.M).</summary>
    Q35,
}

/// <summary>A QEMU machine type: the kind and the versioned name it resolves to (e.g. pc-q35-7.2).</summary>
public sealed record MachineType(MachineKind Kind, int Major, int Minor)
{
    /// <summary>The newest machine type of QEMU 7.2, what the aliases pc and q35 point to.</summary>
    public const int LatestMajor = 7;
    public const int LatestMinor = 2;
    private const string PcPrefix = "pc-i440fx-";
    private const string Q35Prefix = "pc-q35-";

    public static MachineType Pc { get; } = new(MachineKind.Pc, LatestMajor, LatestMinor);
    public static MachineType Q35 { get; } = new(MachineKind.Q35, LatestMajor, LatestMinor);

    /// <summary>
    /// Xen's xenfv machine (an i440fx pc with the xen-platform device); Kind stays Pc so every pc rule applies.
    /// Hook for Machines/Xenfv (see XenfvMachine).
    /// </summary>
    public bool IsXenfv { get; init; }

    /// <summary>The canonical QEMU name, e.g. "pc-i440fx-7.2".</summary>
    public string Name => IsXenfv ? Machines.Xenfv.XenfvMachine.NameOf(this) : (Kind == MachineKind.Pc ? PcPrefix : Q35Prefix) + $"{Major}.{Minor}";

    public bool IsAtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    /// <summary>
    /// find_machine (softmmu/vl.c): the aliases pc and q35, and the versioned names QEMU 7.2 registers
    /// (pc-i440fx-1.4 .. 7.2, pc-q35-2.4 .. 7.2; "pc-1.x" names are not modelled).
    /// </summary>
    public static MachineType? Find(string name)
    {
        switch (name)
        {
            case "pc": return Pc;
            case "q35": return Q35;
        }
        if (Machines.Xenfv.XenfvMachine.Find(name) is { } xenfv) return xenfv;
        if (name.StartsWith(PcPrefix, StringComparison.Ordinal)) return Versioned(MachineKind.Pc, name[PcPrefix.Length..], 1, 4);
        if (name.StartsWith(Q35Prefix, StringComparison.Ordinal)) return Versioned(MachineKind.Q35, name[Q35Prefix.Length..], 2, 4);
        return null;
    }

    /// <summary>The newest minor version QEMU 7.2 registers for each major (pc-*-1.7, 2.12, 3.1, 4.2, 5.2, 6.2, 7.2).</summary>
    private static readonly Dictionary<int, int> LastMinor = new() { [1] = 7, [2] = 12, [3] = 1, [4] = 2, [5] = 2, [6] = 2, [7] = 2 };

    private static MachineType? Versioned(MachineKind kind, string version, int oldestMajor, int oldestMinor)
    {
        var parts = version.Split('.');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || (parts[1].Length > 1 && parts[1][0] == '0'))
        {
            return null;
        }
        var t = new MachineType(kind, major, minor);
        if (!t.IsAtLeast(oldestMajor, oldestMinor) || !LastMinor.TryGetValue(major, out var last) || minor > last) return null;
        return t;
    }

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

    /// <summary>xl.cfg keys of a Xen HVM guest (only read when <see cref="MachineType.IsXenfv"/>).</summary>
    public Machines.Xenfv.XlConfig? Xen { get; init; }
}
