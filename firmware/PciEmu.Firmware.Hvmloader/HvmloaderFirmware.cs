using PciEmu.Core;

namespace PciEmu.Firmware.Hvmloader;

/// <summary>Runs hvmloader's PCI setup over a config accessor (bus 0 through CF8/CFC, as hvmloader does).</summary>
public static class HvmloaderFirmware
{
    /// <summary>pci_setup(): programs bus 0 and returns its log, the hole and the ACPI info block.</summary>
    public static HvmloaderResult PciSetup(IConfigAccessor cfg, HvmloaderInput input)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        ArgumentNullException.ThrowIfNull(input);
        if (input.CpuPhysAddrBits is < 32 or > 63)
            throw new ArgumentOutOfRangeException(nameof(input), input.CpuPhysAddrBits, "CPU physical address bits must be 32..63");
        return new PciSetup(cfg, input).Run();
    }
}
