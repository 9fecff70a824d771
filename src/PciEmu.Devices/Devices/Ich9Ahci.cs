using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>ICH9 AHCI SATA controller, ich9-ahci 8086:2922 at q35 00:1f.2 (hw/ide/ich.c).</summary>
public sealed class Ich9Ahci(PciDeviceOptions? options = null) : PciFunction(options ?? new PciDeviceOptions { Multifunction = true })
{
    public const int IdpBar = 4;
    public const ulong IdpSize = 32;
    public const int MemBar = 5;
    public const ulong MemSize = 0x1000;
    public const int SataCapOffset = 0xa8;
    public const int SataCapSize = 8;
    public const int SataCapRev = 2;
    public const int SataCapBar = 4;
    public const ushort SataCapRevision10 = 0x10;
    /// <summary>IDP index at BAR offset 0x10: BARLOC (BAR4 → 8) | BAROFST (log2 0x10 = 4) &lt;&lt; 4.</summary>
    public const uint SataCapBarValue = (IdpBar + 4) | (4 << 4);
    public const int MsiOffset = 0x80;
    public static readonly Reg8 AddressMap = new(0x90, "ICH9_SATA_MAP");
    public const byte AddressMapAhci = 0x40;
    public const byte RealizeCacheLineSize = 0x08;
    public const byte Revision = 0x02;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x2922, PciClass.StorageSataAhci, Revision) { InterruptPin = 1 };

    public override string TypeName => "ich9-ahci";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>pci_ich9_ahci_realize: SATA cap first, MSI second (so MSI heads the list).</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(CommonHeader.CacheLineSize, RealizeCacheLineSize);
        b.Init(AddressMap, AddressMapAhci);
        b.Bar(new BarDefinition(IdpBar, BarKind.Io, IdpSize));
        b.Bar(new BarDefinition(MemBar, BarKind.Memory32, MemSize));
        var sata = b.Capabilities.Add(CapabilityId.Sata, SataCapOffset, SataCapSize);
        b.Config.SetWord(sata + SataCapRev, SataCapRevision10);
        b.Config.SetLong(sata + SataCapBar, SataCapBarValue);
        QemuMsi.Add(b, MsiOffset, 1, is64: true, perVectorMask: false);
    }
}
