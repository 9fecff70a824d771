using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>PIIX3 IDE, piix3-ide 8086:7010 at pc 00:01.1 (hw/ide/piix.c).</summary>
public sealed class PiixIde(PciDeviceOptions? options = null) : PciFunction(options)
{
    public const int BmdmaBar = 4;
    public const ulong BmdmaSize = 16;
    public const ushort ResetStatus = (ushort)StatusBits.FastBack | Piix3Isa.StatusDevselMedium;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x7010, PciClass.StorageIdeLegacy);

    public override string TypeName => "piix3-ide";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>pci_piix_ide_realize: legacy-mode prog-if 0x80, BMDMA I/O BAR4.</summary>
    protected override void Configure(ConfigSpaceBuilder b) => b.Bar(new BarDefinition(BmdmaBar, BarKind.Io, BmdmaSize));

    /// <summary>piix_ide_reset.</summary>
    protected override void OnReset()
    {
        Config.SetWord(CommonHeader.Command.Offset, 0);
        Config.SetWord(CommonHeader.Status.Offset, ResetStatus);
    }
}
