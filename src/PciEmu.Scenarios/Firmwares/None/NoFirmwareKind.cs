using PciEmu.Platform;
using PciEmu.Scenarios.Running;

namespace PciEmu.Scenarios.Firmwares.None;

/// <summary><c>--firmware none</c>: the OS sees config space as QEMU leaves it after reset.</summary>
public sealed class NoFirmwareKind : FirmwareKind
{
    public static NoFirmwareKind Instance { get; } = new();

    private NoFirmwareKind()
    {
    }

    public override string Name => "none";
    public override string Description => "no firmware: config space as the machine resets it";
    public override FirmwareRun? Run(Machine machine, RunRequest request) => null;
}
