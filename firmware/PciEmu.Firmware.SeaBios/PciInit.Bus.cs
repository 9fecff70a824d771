using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

internal sealed partial class PciInit
{
    /// <summary>
    /// pci_find_resource_reserve_capability: the QEMU resource-reservation vendor capability of a Red Hat
    /// pci-bridge or pcie-root-port, or 0 (with the upstream messages).
    /// </summary>
    private byte pci_find_resource_reserve_capability(int bdf)
    {
        if (_pci.pci_config_readw(bdf, PCI_VENDOR_ID) != PCI_VENDOR_ID_REDHAT)
        {
            _log.Dprintf(3, "PCI: This is non-QEMU bridge.");
            return 0;
        }

        var device_id = _pci.pci_config_readw(bdf, PCI_DEVICE_ID);
        if (device_id != PCI_DEVICE_ID_REDHAT_ROOT_PORT && device_id != PCI_DEVICE_ID_REDHAT_BRIDGE)
        {
            _log.Dprintf(1, "PCI: QEMU resource reserve cap device ID doesn't match.");
            return 0;
        }
        byte cap = 0;
        do
        {
            cap = _pci.pci_find_capability(bdf, PCI_CAP_ID_VNDR, cap);
        } while (cap != 0 && _pci.pci_config_readb(bdf, cap + PCI_CAP_REDHAT_TYPE_OFFSET) != REDHAT_CAP_RESOURCE_RESERVE);
        if (cap != 0)
        {
            var cap_len = _pci.pci_config_readb(bdf, cap + PCI_CAP_FLAGS);
            if (cap_len < RES_RESERVE_CAP_SIZE)
            {
                _log.Dprintf(1, $"PCI: QEMU resource reserve cap length {DebugLog.Dec(cap_len)} is invalid");
                return 0;
            }
        }
        else
        {
            _log.Dprintf(1, "PCI: QEMU resource reserve cap not found");
        }
        return cap;
    }

    /// <summary>
    /// pci_bios_init_bus_rec: number the bridges below <paramref name="bus"/> depth first. <paramref name="pci_bus"/>
    /// is the shared u8 counter; a bus_res reservation no larger than the buses already used rewinds it (upstream bug).
    /// A rewind can hand a bridge a bus number already on its own path: the recursion then never ends, and SeaBIOS
    /// dies when its stack runs out (<see cref="SeaBiosStack"/>), inside the entry dprintf of the level that no longer fits.
    /// </summary>
    private void pci_bios_init_bus_rec(int bus, ref byte pci_bus)
    {
        using var frame = _stack.EnterBusRec();
        _log.Dprintf(1, $"PCI: pci_bios_init_bus_rec bus = 0x{DebugLog.Hex32((uint)bus)}");
        if (_stack.Overflowed) throw new SeaBiosHangException(_busLoop.Describe(_stack.BusRecDepth));

        // prevent accidental access to unintended devices
        foreach (var bdf in _pci.ForEachBdf(bus))
        {
            var @class = _pci.pci_config_readw(bdf, PCI_CLASS_DEVICE);
            if (@class == PCI_CLASS_BRIDGE_PCI)
            {
                _pci.pci_config_writeb(bdf, PCI_SECONDARY_BUS, 255);
                _pci.pci_config_writeb(bdf, PCI_SUBORDINATE_BUS, 0);
            }
        }

        foreach (var bdf in _pci.ForEachBdf(bus))
        {
            var @class = _pci.pci_config_readw(bdf, PCI_CLASS_DEVICE);
            if (@class != PCI_CLASS_BRIDGE_PCI) continue;
            _log.Dprintf(1, $"PCI: pci_bios_init_bus_rec bdf = 0x{DebugLog.Hex32((uint)bdf)}");

            var pribus = _pci.pci_config_readb(bdf, PCI_PRIMARY_BUS);
            if (pribus != bus)
            {
                _log.Dprintf(1, $"PCI: primary bus = 0x{DebugLog.Hex32(pribus)} -> 0x{DebugLog.Hex32((uint)bus)}");
                _pci.pci_config_writeb(bdf, PCI_PRIMARY_BUS, (byte)bus);
            }
            else
            {
                _log.Dprintf(1, $"PCI: primary bus = 0x{DebugLog.Hex32(pribus)}");
            }

            var secbus = _pci.pci_config_readb(bdf, PCI_SECONDARY_BUS);
            pci_bus++;
            _busLoop.Secondary(bdf, pci_bus);
            if (pci_bus != secbus)
            {
                _log.Dprintf(1, $"PCI: secondary bus = 0x{DebugLog.Hex32(secbus)} -> 0x{DebugLog.Hex32(pci_bus)}");
                secbus = pci_bus;
                _pci.pci_config_writeb(bdf, PCI_SECONDARY_BUS, secbus);
            }
            else
            {
                _log.Dprintf(1, $"PCI: secondary bus = 0x{DebugLog.Hex32(secbus)}");
            }

            // set to max for access to all subordinate buses. later set it to accurate value
            var subbus = _pci.pci_config_readb(bdf, PCI_SUBORDINATE_BUS);
            _pci.pci_config_writeb(bdf, PCI_SUBORDINATE_BUS, 255);

            _busLoop.Push(bdf, secbus);
            pci_bios_init_bus_rec(secbus, ref pci_bus);
            _busLoop.Pop();

            if (subbus != pci_bus)
            {
                var res_bus = pci_bus;
                var cap = pci_find_resource_reserve_capability(bdf);
                if (cap != 0)
                {
                    var tmp_res_bus = _pci.pci_config_readl(bdf, cap + RES_RESERVE_BUS_RES);
                    if (tmp_res_bus != uint.MaxValue)
                    {
                        res_bus = (byte)(tmp_res_bus & 0xff);
                        if ((byte)(res_bus + secbus) < secbus || (byte)(res_bus + secbus) < res_bus)
                        {
                            _log.Dprintf(1, $"PCI: bus_reserve value {DebugLog.Dec(res_bus)} is invalid");
                            res_bus = 0;
                        }
                        if (secbus + res_bus > pci_bus)
                        {
                            _log.Dprintf(1, $"PCI: QEMU resource reserve cap: bus = {DebugLog.Unsigned(res_bus)}");
                            res_bus = (byte)(secbus + res_bus);
                        }
                    }
                }
                _log.Dprintf(1, $"PCI: subordinate bus = 0x{DebugLog.Hex32(subbus)} -> 0x{DebugLog.Hex32(res_bus)}");
                _busLoop.Subordinate(bdf, pci_bus, res_bus);
                subbus = res_bus;
                pci_bus = res_bus;
            }
            else
            {
                _log.Dprintf(1, $"PCI: subordinate bus = 0x{DebugLog.Hex32(subbus)}");
            }
            _pci.pci_config_writeb(bdf, PCI_SUBORDINATE_BUS, subbus);
        }
    }

    /// <summary>A counter that only grows makes at most 255 scans; this many means it keeps being rewound (SeaBIOS spins for ever).</summary>
    private const int MaxExtraRootScans = 0x100 * 0x100;

    /// <summary>pci_bios_init_bus: bus 0, then (with etc/extra-pci-roots) every remaining number as a root.</summary>
    private void pci_bios_init_bus()
    {
        var extraroots = (byte)_romfile.romfile_loadint("etc/extra-pci-roots", 0);
        byte pci_bus = 0;

        _busLoop.Root(0);
        pci_bios_init_bus_rec(0 /* host bus */, ref pci_bus);

        if (extraroots != 0)
        {
            for (var iterations = 0; pci_bus < 0xff; iterations++)
            {
                // A reservation below an extra root can rewind the counter for ever; SeaBIOS then spins here.
                if (iterations > MaxExtraRootScans)
                    throw new SeaBiosHangException($"SeaBIOS never finishes: pci_bios_init_bus scanned extra root buses {MaxExtraRootScans} times; a bus reservation keeps rewinding the bus counter");
                pci_bus++;
                _busLoop.Root(pci_bus);
                pci_bios_init_bus_rec(pci_bus, ref pci_bus);
            }
        }
    }
}
