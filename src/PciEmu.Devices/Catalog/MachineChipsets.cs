using PciEmu.Core;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Catalog;

/// <summary>A fixed function a machine type creates on its root bus.</summary>
public readonly record struct ChipsetFunction(int DevFn, PciFunction Function);

/// <summary>What the machine wires around the chipset (affects a few read-only chipset bytes).</summary>
public sealed record ChipsetOptions
{
    public ulong RamSize { get; init; } = 128 << 20;
    public bool Serial1Present { get; init; }
    public bool Serial2Present { get; init; }
    public bool ParallelPresent { get; init; }
    public bool FloppyPresent { get; init; }
}

/// <summary>The fixed root-bus functions of pc, q35 and arm virt with -nodefaults (pc_init1, pc_q35_init, virt).</summary>
public static class MachineChipsets
{
    private const int FunctionBits = 3;
    public const int PiixSlot = 1;
    public const int Ich9Slot = 0x1f;
    public const int PiixIdeFunction = 1;
    public const int Piix4PmFunction = 3;
    public const int Ich9AhciFunction = 2;
    public const int Ich9SmbusFunction = 3;

    public static int DevFn(int slot, int function) => (slot << FunctionBits) | function;

    /// <summary>pc: i440fx 00:00.0, PIIX3 00:01.0, IDE 00:01.1, PIIX4 PM 00:01.3.</summary>
    public static IReadOnlyList<ChipsetFunction> Pc(ChipsetOptions o) =>
    [
        new(0, new I440fxHost(new I440fxOptions { RamSize = o.RamSize })),
        new(DevFn(PiixSlot, 0), new Piix3Isa()),
        new(DevFn(PiixSlot, PiixIdeFunction), new PiixIde()),
        new(DevFn(PiixSlot, Piix4PmFunction), new Piix4Pm(new Piix4PmOptions
        {
            Serial1Present = o.Serial1Present, Serial2Present = o.Serial2Present, ParallelPresent = o.ParallelPresent,
        })),
    ];

    /// <summary>q35: MCH 00:00.0, ICH9 LPC 00:1f.0, AHCI 00:1f.2, SMBus 00:1f.3.</summary>
    public static IReadOnlyList<ChipsetFunction> Q35(ChipsetOptions o) =>
    [
        new(0, new Q35Mch(new Q35MchOptions())),
        new(DevFn(Ich9Slot, 0), new Ich9Lpc(new Ich9LpcOptions
        {
            Com1Present = o.Serial1Present, Com2Present = o.Serial2Present, LptPresent = o.ParallelPresent, FloppyPresent = o.FloppyPresent,
        })),
        new(DevFn(Ich9Slot, Ich9AhciFunction), new Ich9Ahci()),
        new(DevFn(Ich9Slot, Ich9SmbusFunction), new Ich9Smbus()),
    ];

    /// <summary>arm virt: gpex-root 00:00.0.</summary>
    public static IReadOnlyList<ChipsetFunction> Virt() => [new(0, new GpexRoot())];
}
