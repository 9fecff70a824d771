using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests.Conformance;

/// <summary>
/// THE masked set: config bytes the recorded firmware (SeaBIOS / EDK2) or Linux writes, which a freshly reset
/// model cannot predict. Everything else is compared byte for byte with what QEMU 7.2 showed.
/// </summary>
public static class GuestWritten
{
    /// <summary>Chipset registers SeaBIOS programs (offset, length) by device model.</summary>
    private static IEnumerable<(int Offset, int Length)> ChipsetRegisters(PciFunction f) => f switch
    {
        I440fxHost => [(I440fxHost.PamOffset, I440fxHost.PamSize), (I440fxHost.Smram.Offset, 1)],
        Piix3Isa => [(Piix3Isa.PirqRoute, Piix3Isa.PirqCount)],
        PiixIde => [(0x40, 4)],                                     // IDETIM primary/secondary (piix_ide_setup)
        Piix4Pm => [(Piix4Pm.PmBase.Offset, 4), (Piix4Pm.DevActB.Offset, 4), (Piix4Pm.PmRegMisc.Offset, 1),
                    (Piix4Pm.SmbBase.Offset, 4), (Piix4Pm.SmbHostConfig.Offset, 1)],
        Q35Mch => [(Q35Mch.PciexbarOffset, Q35Mch.PciexbarSize), (Q35Mch.PamOffset, Q35Mch.PamSize), (Q35Mch.Smram.Offset, 1)],
        Ich9Lpc => [(Ich9Lpc.PmBase.Offset, 4), (Ich9Lpc.AcpiCtrl.Offset, 1), (Ich9Lpc.PirqARout, Ich9Lpc.PirqGroup),
                    (Ich9Lpc.PirqERout, Ich9Lpc.PirqGroup), (Ich9Lpc.GenPmcon1.Offset, 2), (Ich9Lpc.Rcba.Offset, 4)],
        Ich9Smbus => [(Ich9Smbus.HostConfig.Offset, 1)],
        _ => [],
    };

    /// <summary>PIIX3 DLC (0x82) bit 1: Linux's quirk_passive_release enables passive release.</summary>
    private const int Piix3Dlc = 0x82;
    private const byte Piix3PassiveRelease = 0x02;

    /// <summary>
    /// Per byte, the bits to ignore for <paramref name="model"/> in a dump of <paramref name="length"/> bytes:
    /// what firmware writes, plus (<paramref name="linux"/>) what the Linux PCI core, pciehp and AER write.
    /// </summary>
    public static byte[] Mask(PciFunction model, int length, bool linux)
    {
        var m = new byte[length];
        void Set(int offset, int len)
        {
            for (var i = offset; i < offset + len && i < length; i++) m[i] = 0xff;
        }
        void Bits(int offset, uint bits, int len)
        {
            for (var i = 0; i < len && offset + i < length; i++) m[offset + i] |= (byte)(bits >> (8 * i));
        }

        Set(CommonHeader.Command.Offset, 2);
        Set(CommonHeader.CacheLineSize.Offset, 1);
        Set(CommonHeader.InterruptLine.Offset, 1);
        foreach (var bar in model.Bars) Set(Type0Header.Bar(bar.Index).Offset, bar.Is64 ? 8 : 4);
        if (model.RomSize != 0) Set(model.RomOffset, 4);
        if (model.IsBridge)
        {
            Set(Type1Header.PrimaryBus.Offset, 3);
            Set(Type1Header.IoBase.Offset, 2);
            Set(Type1Header.MemoryBase.Offset, Type1Header.IoBaseUpper16.Offset - Type1Header.MemoryBase.Offset);
            Set(Type1Header.BridgeControl.Offset, 2);
        }
        foreach (var (offset, len) in ChipsetRegisters(model)) Set(offset, len);
        if (linux && model is Piix3Isa) Bits(Piix3Dlc, Piix3PassiveRelease, 1);
        foreach (var cap in CapabilityListBuilder.Walk(model.Config.ReadOnlyData))
        {
            switch (cap)
            {
                case { Extended: false, Id: CapabilityId.Msi }:
                    Set(cap.Offset + MsiCap.Flags, 2);
                    Set(cap.Offset + MsiCap.AddressLo, MsiCap.SizeOf(true, true) - MsiCap.AddressLo);
                    break;
                case { Extended: false, Id: CapabilityId.MsiX }:
                    Set(cap.Offset + MsixCap.Control, 2);
                    break;
                case { Extended: false, Id: CapabilityId.Express } when linux:
                    Set(cap.Offset + PcieCap.DevCtl, 2);
                    Set(cap.Offset + PcieCap.LnkCtl, 2);
                    Set(cap.Offset + PcieCap.SltCtl, 2);
                    Set(cap.Offset + PcieCap.RtCtl, 2);
                    Set(cap.Offset + PcieCap.DevCtl2, 2);
                    Bits(cap.Offset + PcieCap.SltSta, PcieCap.SlotEvents, 2);
                    break;
                case { Extended: true, Id: ExtCapabilityId.Aer } when linux:
                    Bits(cap.Offset + AerCap.RootCommand, AerCap.RootCmdEnableMask, 4);
                    break;
            }
        }
        return m;
    }
}
