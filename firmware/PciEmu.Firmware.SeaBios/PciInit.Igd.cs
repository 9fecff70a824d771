using PciEmu.Fabric.FirmwareTables;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

internal sealed partial class PciInit
{
    /// <summary>
    /// intel_igd_setup: for any Intel VGA, copy etc/igd-opregion into ZoneHigh and point ASLS (0xFC) at it; for the
    /// one at 00:02.0, allocate etc/igd-bdsm-size bytes of stolen memory (1 MiB aligned, e820-reserved) and write
    /// BDSM (0x5C). Nothing is written when the fw_cfg files are absent.
    /// </summary>
    private void intel_igd_setup(PciDevice dev)
    {
        var opregion = _romfile.romfile_find("etc/igd-opregion");
        var bdsm_size = _romfile.romfile_loadint("etc/igd-bdsm-size", 0);
        var allocator = _env.Allocator ?? DefaultAllocator;

        // Apply OpRegion to any Intel VGA device, more than one is undefined
        if (opregion is { Length: > 0 } blob)
        {
            var addr = allocator.MemalignHigh(PAGE_SIZE, (uint)blob.Length);
            if (addr is null)
            {
                warn_noalloc(nameof(intel_igd_setup), 300);
                return;
            }
            // opregion->copy(opregion, addr, size): the blob lands in guest RAM; the port has no RAM to copy to.

            _pci.pci_config_writel(dev.bdf, IGD_ASLS, addr.Value);

            _log.Dprintf(1, $"Intel IGD OpRegion enabled at 0x{DebugLog.Hex32(addr.Value, 8, true)}, size {DebugLog.Dec(blob.Length >> 10)}KB, dev {DebugLog.Pp(dev.bdf)}");
        }

        // Apply BDSM only to Intel VGA at 00:02.0
        if (bdsm_size != 0 && dev.bdf == PciConfig.pci_to_bdf(0, 2, 0))
        {
            var addr = allocator.MemalignTmpHigh(IGD_BDSM_ALIGN, bdsm_size);
            if (addr is null)
            {
                warn_noalloc(nameof(intel_igd_setup), 319);
                return;
            }

            _e820.Add(addr.Value, bdsm_size, E820Type.Reserved);

            _pci.pci_config_writel(dev.bdf, IGD_BDSM, addr.Value);

            _log.Dprintf(1, $"Intel IGD BDSM enabled at 0x{DebugLog.Hex32(addr.Value, 8, true)}, size {DebugLog.Dec((long)(bdsm_size >> 20))}MB, dev {DebugLog.Pp(dev.bdf)}");
        }
    }

    private ISeaBiosAllocator? _defaultAllocator;

    /// <summary>The allocator used when the environment does not supply one: zones derived from the e820 map.</summary>
    private ISeaBiosAllocator DefaultAllocator => _defaultAllocator ??= ZoneAllocator.FromE820(_e820.Entries, RamSize);
}
