using System.Globalization;
using PciEmu.Core;

namespace PciEmu.Firmware.Hvmloader;

/// <summary>
/// hvmloader's util.c config accessors: bus 0 only, CONFIG_ADDRESS from the dword-aligned register, data port
/// 0xCFC + (reg &amp; 3) for bytes and 0xCFC + (reg &amp; 2) for words, so a word access at an odd register lands on the
/// even byte below it (pci_setup's <c>pci_writew(devfn, 0x3d, 1)</c> writes 0x3c..0x3d).
/// </summary>
internal sealed class HvmloaderPci(IConfigAccessor cfg)
{
    private static Bdf At(uint devfn) => Bdf.FromDevFn(0, (int)devfn);

    /// <summary>pci_read(devfn, reg, 1).</summary>
    public byte ReadB(uint devfn, int reg) => cfg.Read8(At(devfn), reg);

    /// <summary>pci_read(devfn, reg, 2): inw(0xcfc + (reg &amp; 2)).</summary>
    public ushort ReadW(uint devfn, int reg) => cfg.Read16(At(devfn), (reg & ~3) | (reg & 2));

    /// <summary>pci_read(devfn, reg, 4): inl(0xcfc).</summary>
    public uint ReadL(uint devfn, int reg) => cfg.Read32(At(devfn), reg & ~3);

    /// <summary>pci_write(devfn, reg, 1, val).</summary>
    public void WriteB(uint devfn, int reg, byte val) => cfg.Write8(At(devfn), reg, val);

    /// <summary>pci_write(devfn, reg, 2, val): outw(0xcfc + (reg &amp; 2)).</summary>
    public void WriteW(uint devfn, int reg, ushort val) => cfg.Write16(At(devfn), (reg & ~3) | (reg & 2), val);

    /// <summary>pci_write(devfn, reg, 4, val): outl(0xcfc).</summary>
    public void WriteL(uint devfn, int reg, uint val) => cfg.Write32(At(devfn), reg & ~3, val);

    /// <summary>PRIllx / PRIllx_arg: "%x%08x" of (upper dword, lower dword).</summary>
    public static string Llx(ulong v) => ((uint)(v >> 32)).ToString("x", CultureInfo.InvariantCulture) + ((uint)v).ToString("x8", CultureInfo.InvariantCulture);

    public static string Hex(ulong v) => v.ToString("x", CultureInfo.InvariantCulture);
}
