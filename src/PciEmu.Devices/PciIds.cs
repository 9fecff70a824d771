namespace PciEmu.Devices;

/// <summary>Vendor IDs used by the modelled devices (pci_ids.h).</summary>
public static class PciVendor
{
    public const ushort Intel = 0x8086;
    public const ushort RedHat = 0x1b36;
    public const ushort RedHatQumranet = 0x1af4;
    public const ushort TexasInstruments = 0x104c;
    public const ushort Bochs = 0x1234;
}

/// <summary>24-bit class codes (base, sub-class, prog-if) used by the modelled devices.</summary>
public static class PciClass
{
    public const uint BridgeHost = 0x060000;
    public const uint BridgeIsa = 0x060100;
    public const uint BridgeOther = 0x068000;
    public const uint BridgePci = 0x060400;
    public const uint StorageIdeLegacy = 0x010180;
    public const uint StorageSataAhci = 0x010601;
    public const uint SerialSmbus = 0x0c0500;
    public const uint NetworkEthernet = 0x020000;
    public const uint DisplayVga = 0x030000;
    public const uint Others = 0x00ff00;
}
