using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Running;

/// <summary>What a firmware run left, in terms every firmware shares (the kind-specific result rides along).</summary>
public sealed record FirmwareRun
{
    /// <summary>The firmware's debug log, one line per entry.</summary>
    public IReadOnlyList<string> Log { get; init; } = [];

    /// <summary>The memory map the firmware hands the OS (null when it publishes none).</summary>
    public IReadOnlyList<E820Entry>? E820 { get; init; }

    /// <summary>The firmware stopped (e.g. SeaBIOS's panic): no OS boots.</summary>
    public bool Failed { get; init; }

    /// <summary>The firmware's own words for how it ended ("ok", the panic text).</summary>
    public string Outcome { get; init; } = "ok";

    /// <summary>The message the firmware stopped with (the panic text, the assertion) when <see cref="Failed"/>.</summary>
    public string? FailureMessage { get; init; }

    /// <summary>The kind-specific result (e.g. <c>SeaBiosResult</c>).</summary>
    public object? Result { get; init; }
}

/// <summary>
/// A firmware kind (<c>--firmware NAME</c>): one folder under Firmwares/ that wires a firmware port (firmware/*) to a
/// machine: the accessors, fw_cfg and port I/O it gets, and how its output changes the tables the OS reads.
/// </summary>
public abstract class FirmwareKind
{
    /// <summary>No firmware: config space as QEMU presents it after reset (Firmwares/None).</summary>
    public static FirmwareKind None => Firmwares.None.NoFirmwareKind.Instance;

    /// <summary>The SeaBIOS 1.16.2 pciinit port (Firmwares/SeaBios).</summary>
    public static FirmwareKind SeaBios => Firmwares.SeaBios.SeaBiosFirmwareKind.Instance;

    /// <summary>The EDK2 ArmVirtQemu PCI port (Firmwares/Edk2).</summary>
    public static FirmwareKind Edk2 => Firmwares.Edk2.Edk2FirmwareKind.Instance;
    /// <summary>x86 OVMF on pc and q35 (Firmwares/Ovmf).</summary>
    public static FirmwareKind Ovmf => Firmwares.Ovmf.OvmfFirmwareKind.Instance;

    /// <summary>Xen's hvmloader pci_setup (Firmwares/Hvmloader; -M xenfv).</summary>
    public static FirmwareKind Hvmloader => Firmwares.Hvmloader.HvmloaderFirmwareKind.Instance;

    /// <summary>SLOF's PCI setup (Firmwares/Slof; -M pseries).</summary>
    public static FirmwareKind Slof => Firmwares.Slof.SlofFirmwareKind.Instance;

    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>
    /// <c>--firmware NAME,OPTION</c>: this firmware configured by one option (e.g. hvmloader's version=4.5); a kind
    /// without options refuses every one (<see cref="Topology.TopologyException"/> naming <paramref name="token"/>).
    /// </summary>
    public virtual FirmwareKind Configure(string option, string token) =>
        throw new Topology.TopologyException(token, $"{Name}: unknown option '{option}'");

    /// <summary>
    /// How this firmware sizes and places bridge windows, in a sentence or two (what <c>pciemu diff</c> prints to explain
    /// a difference); null when it assigns nothing.
    /// </summary>
    public virtual string? WindowPolicy => null;

    /// <summary>The firmware runs on the machine; null when nothing ran.</summary>
    public abstract FirmwareRun? Run(Machine machine, RunRequest request);

    /// <summary>
    /// The tables the OS reads after this firmware: the board's tables as built after the firmware's PCI setup, changed
    /// where the firmware changes them (its e820, for one). The default passes them through.
    /// </summary>
    public virtual FirmwareTables Finish(FirmwareTables tables, FirmwareRun? run) =>
        run?.E820 is { } e820 ? tables with { E820 = e820 } : tables;

    public override string ToString() => Name;
}

/// <summary>The registry of firmware kinds: seabios, ovmf, edk2, none, hvmloader and slof built in, more with <see cref="Register"/>.</summary>
public static class FirmwareKinds
{
    private static readonly object Gate = new();
    private static List<FirmwareKind>? _kinds;

    private static List<FirmwareKind> Kinds => _kinds ??= [FirmwareKind.SeaBios, FirmwareKind.Ovmf, FirmwareKind.Edk2, FirmwareKind.None, FirmwareKind.Hvmloader, FirmwareKind.Slof];

    public static IReadOnlyList<FirmwareKind> All
    {
        get
        {
            lock (Gate) return Kinds.ToArray();
        }
    }

    public static void Register(FirmwareKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (Gate)
        {
            if (Kinds.Contains(kind)) return;
            if (Kinds.Any(k => k.Name == kind.Name)) throw new InvalidOperationException($"firmware kind '{kind.Name}' is already registered");
            Kinds.Add(kind);
        }
    }

    public static FirmwareKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary><c>--firmware help</c>, in the shape of QEMU's <c>-M help</c>.</summary>
    public static string Help()
    {
        var w = new System.Text.StringBuilder("Supported firmware is:\n");
        foreach (var k in All) w.Append($"{k.Name,-20} {k.Description}\n");
        return w.ToString();
    }
}
