using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>drivers/pci/quirks.c and the legacy-IDE part of pci_setup_device, for the chipsets QEMU emulates.</summary>
internal sealed class Quirks(PciCore core) : PciCorePart(core)
{
    private const ushort IntelVendor = 0x8086;
    private const ushort Piix4AcpiDevice = 0x7113;
    private const ushort Piix3IsaDevice = 0x7000;
    private const ushort I440FxDevice = 0x1237;
    private const ushort Ich9LpcDevice = 0x2918;
    private const int ClassStorageIde = 0x0101;
    private const int Piix4PmBase = 0x40;
    private const int Piix4PmSize = 64;
    private const int Piix4SmbBase = 0x90;
    private const int Piix4SmbSize = 16;
    private const int IchPmBase = 0x40;
    private const int IchAcpiCntl = 0x44;
    private const byte IchAcpiEnable = 0x80;
    private const int IchPmSize = 128;
    private const int Ich6GpioBase = 0x48;
    private const int Ich6GpioCntl = 0x4c;
    private const byte Ich6GpioEnable = 0x10;
    private const int Ich6GpioSize = 64;
    private const int Piix3Dlc = 0x82;
    private const byte Piix3PassiveRelease = 1 << 1;

    private static readonly (ulong Start, ulong End, int Bar)[] LegacyIdePrimary = [(0x1f0, 0x1f7, 0), (0x3f6, 0x3f6, 1)];
    private static readonly (ulong Start, ulong End, int Bar)[] LegacyIdeSecondary = [(0x170, 0x177, 2), (0x376, 0x376, 3)];

    /// <summary>pci_setup_device: IDE controllers in compatibility mode decode the ISA legacy ports (LEGACY_IO_RESOURCE).</summary>
    public void LegacyIdeQuirk(PciDev dev)
    {
        if (dev.ClassCode != ClassStorageIde) return;
        var progIf = Read8(dev, CommonHeader.ClassProg.Offset);
        if ((progIf & 1) == 0) SetLegacy(dev, LegacyIdePrimary);
        if ((progIf & 4) == 0) SetLegacy(dev, LegacyIdeSecondary);
    }

    private void SetLegacy(PciDev dev, (ulong Start, ulong End, int Bar)[] regions)
    {
        foreach (var (start, end, bar) in regions)
        {
            var r = dev.Resources[bar];
            r.Name = dev.Name;
            r.Start = start;
            r.End = end;
            r.Flags = ResFlags.Io | ResFlags.PciFixed;
            Log.Dev(dev, $"BAR {bar} {r}: legacy IDE quirk");
        }
    }

    /// <summary>DECLARE_PCI_FIXUP_HEADER quirks: quirk_piix4_acpi, quirk_ich7_lpc (ich6_lpc_acpi_gpio).</summary>
    public void HeaderQuirks(PciDev dev)
    {
        if (dev.Vendor != IntelVendor) return;
        if (dev.Device == Piix4AcpiDevice)
        {
            QuirkIoRegion(dev, Piix4PmBase, Piix4PmSize, PciDev.BridgeResources, "PIIX4 ACPI");
            QuirkIoRegion(dev, Piix4SmbBase, Piix4SmbSize, PciDev.BridgeResources + 1, "PIIX4 SMB");
        }
        else if (dev.Device == Ich9LpcDevice)
        {
            if ((Read8(dev, IchAcpiCntl) & IchAcpiEnable) != 0)
                QuirkIoRegion(dev, IchPmBase, IchPmSize, PciDev.BridgeResources, "ICH6 ACPI/GPIO/TCO");
            if ((Read8(dev, Ich6GpioCntl) & Ich6GpioEnable) != 0)
                QuirkIoRegion(dev, Ich6GpioBase, Ich6GpioSize, PciDev.BridgeResources + 1, "ICH6 GPIO");
        }
    }

    /// <summary>quirk_io_region: claim a chipset I/O block as a device resource.</summary>
    private void QuirkIoRegion(PciDev dev, int port, int size, int nr, string name)
    {
        var region = (ulong)(Read16(dev, port) & ~(size - 1));
        if (region == 0) return;
        var r = dev.Resources[nr];
        r.Name = dev.Name;
        r.Flags = ResFlags.Io;
        r.Start = region;
        r.End = region + (ulong)size - 1;
        if (Core.Survey.ClaimResource(dev, nr) == 0) Log.Dev(dev, $"quirk: {r} claimed by {name}");
    }

    /// <summary>DECLARE_PCI_FIXUP_FINAL quirks, in table order: quirk_passive_release, quirk_natoma.</summary>
    public void FinalQuirks()
    {
        foreach (var dev in Core.AllDevices().Where(d => d.Vendor == IntelVendor && d.Device == Piix3IsaDevice))
        {
            var dlc = Read8(dev, Piix3Dlc);
            if ((dlc & Piix3PassiveRelease) != 0) continue;
            Log.Dev(dev, "PIIX3: Enabling Passive Release");
            Write8(dev, Piix3Dlc, (byte)(dlc | Piix3PassiveRelease));
        }
        foreach (var dev in Core.AllDevices().Where(d => d.Vendor == IntelVendor && d.Device == I440FxDevice))
            Log.Dev(dev, "Limiting direct PCI/PCI transfers");
    }
}
