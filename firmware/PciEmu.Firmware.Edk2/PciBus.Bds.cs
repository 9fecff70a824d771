using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

/// <summary>
/// What x86 OVMF's BDS does to PCI config space after PciBusDxe (OvmfPkg/Library/PlatformBootManagerLib/BdsPlatform.c):
/// PlatformInitializeConsole's DetectAndPreparePlatformPciDevicePath enables every function, then
/// PlatformBootManagerAfterConsole's PciAcpiInitialization routes the PIRQ links and writes interrupt lines.
/// </summary>
internal sealed partial class PciBus
{
    /// <summary>PciHostIrqs[] (BdsPlatform.c): the four PCI interrupt links' IRQs.</summary>
    private static readonly byte[] PciHostIrqs = [0x0a, 0x0a, 0x0b, 0x0b];

    /// <summary>Q35: slots above 24 on the root bus all use LNKA (LNKE) mapping.</summary>
    private const int Q35LastRotatingSlot = 24;

    /// <summary>The PIRQ route control registers of PIIX (00:01.0) and ICH9 LPC (00:1f.0): A..D, and ICH9's E..H.</summary>
    private const int PirqRouteAToD = 0x60;
    private const int PirqRouteEToH = 0x68;
    private const int PiixIsaBridgeDevice = 1;
    private const int Ich9LpcDevice = 0x1f;

    /// <summary>The platform steps of BDS that touch PCI, in BDS order.</summary>
    public void PlatformBds(OvmfBds bds)
    {
        if (RootBridge is null) return;
        VisitAllPciInstances(RootBridge, DetectAndPreparePlatformPciDevicePath);
        PciAcpiInitialization(bds);
    }

    /// <summary>VisitAllPciInstances (BdsPlatform.c): every PciIo handle, in the order PciBusDxe installed them.</summary>
    private static void VisitAllPciInstances(PciIoDevice bridge, Action<PciIoDevice> visit)
    {
        foreach (var dev in bridge.ChildList)
        {
            visit(dev);
            VisitAllPciInstances(dev, visit);
        }
    }

    /// <summary>
    /// DetectAndPreparePlatformPciDevicePath (BdsPlatform.c): PciIo->Attributes(Enable, EFI_PCI_DEVICE_ENABLE), which
    /// PciIoAttributes trims to the Supports attribute and ORs into the command register.
    /// </summary>
    private void DetectAndPreparePlatformPciDevicePath(PciIoDevice dev)
    {
        var cmd = _cfg.Read16(dev.Bdf, CommonHeader.Command.Offset);
        _cfg.Write16(dev.Bdf, CommonHeader.Command.Offset, (ushort)(cmd | (DeviceEnable & dev.SupportedCommand)));
    }

    /// <summary>PciAcpiInitialization (BdsPlatform.c): the LNK routing targets, then SetPciIntLine on every function.</summary>
    private void PciAcpiInitialization(OvmfBds bds)
    {
        if (bds.IsQ35)
        {
            for (var i = 0; i < PciHostIrqs.Length; i++) _cfg.Write8(new Bdf(0, Ich9LpcDevice, 0), PirqRouteAToD + i, PciHostIrqs[i]);
            for (var i = 0; i < PciHostIrqs.Length; i++) _cfg.Write8(new Bdf(0, Ich9LpcDevice, 0), PirqRouteEToH + i, PciHostIrqs[i]);
        }
        else
        {
            for (var i = 0; i < PciHostIrqs.Length; i++) _cfg.Write8(new Bdf(0, PiixIsaBridgeDevice, 0), PirqRouteAToD + i, PciHostIrqs[i]);
        }
        VisitAllPciInstances(RootBridge!, dev => SetPciIntLine(dev, bds));
    }

    /// <summary>
    /// SetPciIntLine (BdsPlatform.c): pin - 1 plus the device numbers along the device path, minus one on i440fx, minus
    /// the root slot on q35 when it is above 24; the IRQ of that link goes to the interrupt line register.
    /// </summary>
    private void SetPciIntLine(PciIoDevice dev, OvmfBds bds)
    {
        var pin = _cfg.Read8(dev.Bdf, CommonHeader.InterruptPin.Offset);
        if (pin == 0) return;
        var idx = pin - 1;
        var rootSlot = 0;
        for (var d = dev; d is not null && !d.IsRootBridge; d = d.Parent)
        {
            idx += d.Bdf.Device;
            if (d.Parent is { IsRootBridge: true }) rootSlot = d.Bdf.Device;
        }
        if (!bds.IsQ35) idx -= 1;
        else if (rootSlot > Q35LastRotatingSlot) idx -= rootSlot;
        var irq = PciHostIrqs[((idx % PciHostIrqs.Length) + PciHostIrqs.Length) % PciHostIrqs.Length];
        _cfg.Write8(dev.Bdf, CommonHeader.InterruptLine.Offset, irq);
    }
}
