using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>PIIX3 PCI-to-ISA bridge, 8086:7000 at pc 00:01.0, multifunction (hw/isa/piix3.c).</summary>
public sealed class Piix3Isa(PciDeviceOptions? options = null) : PciFunction(options ?? new PciDeviceOptions { Multifunction = true })
{
    public const int PirqRoute = 0x60;
    public const int PirqCount = 4;
    public const byte PirqRouteDisabled = 0x80;
    public const ushort StatusDevselMedium = 0x0200;

    /// <summary>piix3_reset's chipset defaults (offset, value) beyond PIRQ routing.</summary>
    public static readonly IReadOnlyList<(int Offset, byte Value)> ResetDefaults =
    [
        (0x4c, 0x4d), (0x4e, 0x03), (0x4f, 0x00), (0x69, 0x02), (0x70, 0x80), (0x76, 0x0c), (0x77, 0x0c),
        (0x78, 0x02), (0x79, 0x00), (0x80, 0x00), (0x82, 0x00), (0xa0, 0x08), (0xa2, 0x00), (0xa3, 0x00),
        (0xa4, 0x00), (0xa5, 0x00), (0xa6, 0x00), (0xa7, 0x00), (0xa8, 0x0f), (0xaa, 0x00), (0xab, 0x00),
        (0xac, 0x00), (0xae, 0x00),
    ];

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x7000, PciClass.BridgeIsa);

    public override string TypeName => "PIIX3";
    public override DeviceIdentity Identity => DeviceIdentity;

    protected override void Configure(ConfigSpaceBuilder b)
    {
    }

    /// <summary>piix3_reset: command 0x0007 (cleared again by the generic reset that runs after it in 7.2).</summary>
    protected override void OnReset()
    {
        var c = Config;
        c.SetWord(CommonHeader.Command.Offset, (ushort)(CommandBits.Io | CommandBits.Memory | CommandBits.BusMaster));
        c.SetWord(CommonHeader.Status.Offset, StatusDevselMedium);
        for (var i = 0; i < PirqCount; i++) c.SetByte(PirqRoute + i, PirqRouteDisabled);
        foreach (var (offset, value) in ResetDefaults) c.SetByte(offset, value);
    }
}
