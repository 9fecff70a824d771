using PciEmu.Core;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// src/hw/pci.c: the pci_config_* accessors with the static <c>mmconfig</c> switch (CF8/CFC until
/// pci_enable_mmconfig, ECAM after), pci_config_maskw, pci_find_capability, pci_next and pci_probe_host.
/// BDFs are SeaBIOS's 16-bit values.
/// </summary>
internal sealed class PciConfig(SeaBiosEnvironment env, DebugLog log)
{
    private IConfigAccessor _current = env.Cf8Cfc;

    /// <summary>The static <c>mmconfig</c>: 0 until pci_enable_mmconfig.</summary>
    public ulong Mmconfig { get; private set; }

    private static Bdf B(int bdf) => Bdf.FromValue(bdf & 0xffff);

    public static byte pci_bdf_to_bus(int bdf) => (byte)((bdf & 0xffff) >> 8);
    public static byte pci_bdf_to_dev(int bdf) => (byte)(((bdf & 0xffff) >> 3) & 0x1f);
    public static byte pci_bdf_to_fn(int bdf) => (byte)(bdf & 0x07);
    public static ushort pci_to_bdf(int bus, int dev, int fn) => (ushort)((bus << 8) | (dev << 3) | fn);

    public uint pci_config_readl(int bdf, int addr) => _current.Read32(B(bdf), addr);
    public ushort pci_config_readw(int bdf, int addr) => _current.Read16(B(bdf), addr);
    public byte pci_config_readb(int bdf, int addr) => _current.Read8(B(bdf), addr);
    public void pci_config_writel(int bdf, int addr, uint val) => _current.Write32(B(bdf), addr, val);
    public void pci_config_writew(int bdf, int addr, ushort val) => _current.Write16(B(bdf), addr, val);
    public void pci_config_writeb(int bdf, int addr, byte val) => _current.Write8(B(bdf), addr, val);

    /// <summary>pci_ioconfig_*: always CF8/CFC, whatever mmconfig says (used before the heap and mmconfig exist).</summary>
    public uint pci_ioconfig_readl(int bdf, int addr) => env.Cf8Cfc.Read32(B(bdf), addr);
    public ushort pci_ioconfig_readw(int bdf, int addr) => env.Cf8Cfc.Read16(B(bdf), addr);
    public byte pci_ioconfig_readb(int bdf, int addr) => env.Cf8Cfc.Read8(B(bdf), addr);
    public void pci_ioconfig_writel(int bdf, int addr, uint val) => env.Cf8Cfc.Write32(B(bdf), addr, val);

    /// <summary>pci_config_maskw: read, clear <paramref name="off"/>, set <paramref name="on"/>, write (always).</summary>
    public void pci_config_maskw(int bdf, int addr, ushort off, ushort on)
    {
        var val = pci_config_readw(bdf, addr);
        val = (ushort)((val & ~off) | on);
        pci_config_writew(bdf, addr, val);
    }

    /// <summary>pci_enable_mmconfig: addresses at or above 4 GiB are ignored.</summary>
    public void pci_enable_mmconfig(ulong addr, string name)
    {
        if (addr >= GiB4) return;
        log.Dprintf(1, $"PCIe: using {name} mmconfig at 0x{DebugLog.Hex(addr)}");
        Mmconfig = addr;
        _current = env.Ecam(addr);
    }

    /// <summary>pci_find_capability: walk from the head (cap == 0) or from after <paramref name="cap"/>.</summary>
    public byte pci_find_capability(int bdf, byte cap_id, byte cap)
    {
        var status = pci_config_readw(bdf, PCI_STATUS);
        if ((status & PCI_STATUS_CAP_LIST) == 0) return 0;
        cap = cap == 0
            ? pci_config_readb(bdf, PCI_CAPABILITY_LIST) // find first
            : pci_config_readb(bdf, cap + PCI_CAP_LIST_NEXT); // find next
        for (var i = 0; cap != 0 && i <= 0xff; i++)
        {
            if (pci_config_readb(bdf, cap + PCI_CAP_LIST_ID) == cap_id) return cap;
            cap = pci_config_readb(bdf, cap + PCI_CAP_LIST_NEXT);
        }
        return 0;
    }

    /// <summary>pci_next: the next present function on <paramref name="bus"/> after <paramref name="bdf"/>, or -1.</summary>
    public int pci_next(int bdf, int bus)
    {
        if (pci_bdf_to_fn(bdf) == 0 && (pci_config_readb(bdf, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MULTI_FUNCTION) == 0)
            bdf += 8; // Last found device wasn't a multi-function device - skip to the next device.
        else
            bdf += 1;
        for (;;)
        {
            if (pci_bdf_to_bus(bdf) != bus || bdf > 0xffff) return -1;
            var v = pci_config_readw(bdf, PCI_VENDOR_ID);
            if (v != 0x0000 && v != 0xffff) return bdf; // Device is present.
            bdf += pci_bdf_to_fn(bdf) == 0 ? 8 : 1;
        }
    }

    /// <summary>pci_ioconfig_next: <see cref="pci_next"/> over CF8/CFC only.</summary>
    public int pci_ioconfig_next(int bdf, int bus)
    {
        if (pci_bdf_to_fn(bdf) == 0 && (pci_ioconfig_readb(bdf, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MULTI_FUNCTION) == 0)
            bdf += 8;
        else
            bdf += 1;
        for (;;)
        {
            if (pci_bdf_to_bus(bdf) != bus || bdf > 0xffff) return -1;
            var v = pci_ioconfig_readw(bdf, PCI_VENDOR_ID);
            if (v != 0x0000 && v != 0xffff) return bdf;
            bdf += pci_bdf_to_fn(bdf) == 0 ? 8 : 1;
        }
    }

    /// <summary>pci_ioconfig_foreachbdf(BDF, BUS).</summary>
    public IEnumerable<int> ForEachIoconfigBdf(int bus)
    {
        for (var bdf = pci_ioconfig_next((bus << 8) - 1, bus); bdf >= 0; bdf = pci_ioconfig_next(bdf, bus))
            yield return bdf;
    }

    /// <summary>foreachbdf(BDF, BUS).</summary>
    public IEnumerable<int> ForEachBdf(int bus)
    {
        for (var bdf = pci_next((bus << 8) - 1, bus); bdf >= 0; bdf = pci_next(bdf, bus))
            yield return bdf;
    }

    /// <summary>pci_probe_host: CONFIG_ADDRESS must read back 0x80000000.</summary>
    public int pci_probe_host()
    {
        if (env.Ports is not { } ports) return 0;
        ports.Out(PORT_PCI_CMD, 4, PCI_PROBE_HOST_VALUE);
        if (ports.In(PORT_PCI_CMD, 4) != PCI_PROBE_HOST_VALUE)
        {
            log.Dprintf(1, "Detected non-PCI system");
            return -1;
        }
        return 0;
    }
}
