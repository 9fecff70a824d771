using PciEmu.Devices.Devices;
using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>
/// The part of ICH9's ACPI PM I/O block (hw/acpi/ich9.c, QEMU 7.2) that firmware reads before it writes: SMI_EN at
/// PMBASE + 0x30. The block decodes where the LPC's PMBASE points while ACPI_CTRL.ACPI_EN is set
/// (ich9_lpc_pmbase_sel_update → ich9_pm_iospace_update); the other PM registers are not modelled and stay
/// unclaimed. Mapped under every other port handler, so ports it does not decode read all ones as before.
/// </summary>
internal sealed class Ich9PmIo(Ich9Lpc lpc) : IPortHandler
{
    /// <summary>ICH9_PMIO_SMI_EN.</summary>
    public const int SmiEnOffset = 0x30;
    private const int SmiEnSize = 4;
    private const int PortSpace = 0x10000;
    private const uint AllOnes = uint.MaxValue;

    /// <summary>pm->smi_en: 0 after ich9_pm_reset; pm->smi_en_wmask stays ~0 (SMM enabled under TCG).</summary>
    private uint _smiEn;

    public static Ich9PmIo Attach(CpuBus cpu, Ich9Lpc lpc)
    {
        var pm = new Ich9PmIo(lpc);
        cpu.MapPort(0, PortSpace, pm, priority: int.MinValue);
        return pm;
    }

    /// <summary>ich9_pm_reset.</summary>
    public void Reset() => _smiEn = 0;

    public uint Read(ushort port, int width) =>
        SmiEnByte(port) is { } shift ? _smiEn >> (8 * shift) : AllOnes;

    public void Write(ushort port, int width, uint value)
    {
        if (SmiEnByte(port) is not { } shift) return;
        var mask = (width >= SmiEnSize ? AllOnes : (1u << (8 * width)) - 1) << (8 * shift);
        _smiEn = (_smiEn & ~mask) | ((value << (8 * shift)) & mask);
    }

    /// <summary>The byte of SMI_EN a port addresses, or null when the PM block is off or the port is elsewhere.</summary>
    private int? SmiEnByte(ushort port)
    {
        var c = lpc.Config;
        if ((c.GetByte(Ich9Lpc.AcpiCtrl.Offset) & Ich9Lpc.AcpiCtrlAcpiEn) == 0) return null;
        var pmBase = c.GetLong(Ich9Lpc.PmBase.Offset) & Ich9Lpc.PmBaseAddressMask;
        var off = port - (long)pmBase - SmiEnOffset;
        return off is >= 0 and < SmiEnSize ? (int)off : null;
    }
}
