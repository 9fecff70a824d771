using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

internal sealed partial class PciInit
{
    /// <summary>pci_set_io_region_addr: write a BAR (and its upper half when 64-bit).</summary>
    private void pci_set_io_region_addr(PciDevice pci, int bar, ulong addr, bool is64)
    {
        var ofs = pci_bar(pci, bar);
        _pci.pci_config_writel(pci.bdf, ofs, (uint)addr);
        if (is64) _pci.pci_config_writel(pci.bdf, ofs + 4, (uint)(addr >> 32));
    }

    /// <summary>pci_region_migrate_64bit_entries: move 64-bit entries (except USB devices') to the end of <paramref name="to"/>.</summary>
    private static void pci_region_migrate_64bit_entries(PciRegion from, PciRegion to)
    {
        var moved = new List<PciRegionEntry>();
        foreach (var entry in from.list)
        {
            if (!entry.is64) continue;
            if (entry.dev.@class == PCI_CLASS_SERIAL_USB) continue;
            moved.Add(entry);
        }
        foreach (var entry in moved) from.list.Remove(entry);
        // hlist_add at *last, which starts at to->list.first: the moved entries go first, in order.
        to.list.InsertRange(0, moved);
    }

    /// <summary>
    /// pci_bios_init_root_regions_io: the traditional 0xc000 window when the sum fits, else 0x1000 up to
    /// pci_io_low_end. Returns -1 when there is not enough I/O space.
    /// </summary>
    private int pci_bios_init_root_regions_io(PciBusRegions bus)
    {
        // QEMU I/O address space usage: 0000-0fff legacy, 1000-9fff free, a000-afff hotplug,
        // b000-bfff power management, c000-ffff free, traditionally used for pci io.
        var r_io = bus.r[(int)PciRegionType.PCI_REGION_TYPE_IO];
        var sum = pci_region_sum(r_io);
        if (sum < PCI_IO_TRADITIONAL_SIZE)
            r_io.@base = PCI_IO_TRADITIONAL_BASE; // traditional region is big enough, use it
        else if (sum < pci_io_low_end - PCI_IO_LOW_BASE)
            r_io.@base = PCI_IO_LOW_BASE; // use the larger region at 0x1000
        else
            return -1; // not enough io address space -> error out
        IoBase = r_io.@base;
        IoSum = sum;
        _log.Dprintf(1, $"PCI: IO: {DebugLog.Hex(r_io.@base, 4)} - {DebugLog.Hex(r_io.@base + sum - 1, 4)}");
        return 0;
    }

    /// <summary>
    /// pci_bios_init_root_regions_mem: place the root MEM and PREF regions top-down from pcimem_end, the one with
    /// the larger alignment lower. Returns -1 when they do not fit above pcimem_start.
    /// </summary>
    private int pci_bios_init_root_regions_mem(PciBusRegions bus)
    {
        var r_end = bus.r[(int)PciRegionType.PCI_REGION_TYPE_PREFMEM];
        var r_start = bus.r[(int)PciRegionType.PCI_REGION_TYPE_MEM];

        if (pci_region_align(r_start) < pci_region_align(r_end))
        {
            // Swap regions to improve alignment.
            r_end = r_start;
            r_start = bus.r[(int)PciRegionType.PCI_REGION_TYPE_PREFMEM];
        }
        var sum = pci_region_sum(r_end);
        var align = pci_region_align(r_end);
        r_end.@base = ALIGN_DOWN(pcimem_end - sum, align);
        sum = pci_region_sum(r_start);
        align = pci_region_align(r_start);
        r_start.@base = ALIGN_DOWN(r_end.@base - sum, align);

        if (r_start.@base < pcimem_start || r_start.@base > pcimem_end)
            return -1; // Memory range requested is larger than available.
        return 0;
    }

    /// <summary>pci_region_map_one_entry: program a device BAR (logged) or a bridge window (not logged).</summary>
    private void pci_region_map_one_entry(PciRegionEntry entry, ulong addr)
    {
        if (entry.bar >= 0)
        {
            _log.Dprintf(1, $"PCI: map device bdf={DebugLog.Pp(entry.dev.bdf)}  bar {DebugLog.Dec(entry.bar)}, addr {DebugLog.Hex(addr, 8, true)}, size {DebugLog.Hex(entry.size, 8, true)} [{region_type_name(entry.type)}]");
            pci_set_io_region_addr(entry.dev, entry.bar, addr, entry.is64);
            return;
        }

        var bdf = entry.dev.bdf;
        var limit = addr + entry.size - 1;
        if (entry.type == PciRegionType.PCI_REGION_TYPE_IO)
        {
            _pci.pci_config_writeb(bdf, PCI_IO_BASE, (byte)(addr >> PCI_IO_SHIFT));
            _pci.pci_config_writew(bdf, PCI_IO_BASE_UPPER16, 0);
            _pci.pci_config_writeb(bdf, PCI_IO_LIMIT, (byte)(limit >> PCI_IO_SHIFT));
            _pci.pci_config_writew(bdf, PCI_IO_LIMIT_UPPER16, 0);
        }
        if (entry.type == PciRegionType.PCI_REGION_TYPE_MEM)
        {
            _pci.pci_config_writew(bdf, PCI_MEMORY_BASE, (ushort)(addr >> PCI_MEMORY_SHIFT));
            _pci.pci_config_writew(bdf, PCI_MEMORY_LIMIT, (ushort)(limit >> PCI_MEMORY_SHIFT));
        }
        if (entry.type == PciRegionType.PCI_REGION_TYPE_PREFMEM)
        {
            _pci.pci_config_writew(bdf, PCI_PREF_MEMORY_BASE, (ushort)(addr >> PCI_PREF_MEMORY_SHIFT));
            _pci.pci_config_writew(bdf, PCI_PREF_MEMORY_LIMIT, (ushort)(limit >> PCI_PREF_MEMORY_SHIFT));
            _pci.pci_config_writel(bdf, PCI_PREF_BASE_UPPER32, (uint)(addr >> 32));
            _pci.pci_config_writel(bdf, PCI_PREF_LIMIT_UPPER32, (uint)(limit >> 32));
        }
    }

    /// <summary>pci_region_map_entries: hand out addresses in list order; a bridge window sets its bus's base.</summary>
    private void pci_region_map_entries(PciBusRegions[] busses, PciRegion r)
    {
        foreach (var entry in r.list)
        {
            var addr = r.@base;
            r.@base += entry.size;
            if (entry.bar == -1)
            {
                // Update bus base address if entry is a bridge region
                busses[entry.dev.secondary_bus].r[(int)entry.type].@base = addr;
            }
            pci_region_map_one_entry(entry, addr);
        }
        r.list.Clear();
    }

    /// <summary>
    /// pci_bios_map_devices: pass #2. I/O window, the 32-bit window, and (only if the 32-bit layout fails) the
    /// 64-bit window above RAM or etc/reserved-memory-end; then every bus's lists in bus order.
    /// </summary>
    private void pci_bios_map_devices(PciBusRegions[] busses)
    {
        if (pci_bios_init_root_regions_io(busses[0]) != 0) panic("PCI: out of I/O address space");

        _log.Dprintf(1, $"PCI: 32: {DebugLog.Hex(pcimem_start, 16, true)} - {DebugLog.Hex(pcimem_end, 16, true)}");
        if (pci_pad_mem64 != 0 || pci_bios_init_root_regions_mem(busses[0]) != 0)
        {
            var r64_mem = new PciRegion();
            var r64_pref = new PciRegion();
            pci_region_migrate_64bit_entries(busses[0].r[(int)PciRegionType.PCI_REGION_TYPE_MEM], r64_mem);
            pci_region_migrate_64bit_entries(busses[0].r[(int)PciRegionType.PCI_REGION_TYPE_PREFMEM], r64_pref);

            if (pci_bios_init_root_regions_mem(busses[0]) != 0) panic("PCI: out of 32bit address space");

            var sum_mem = pci_region_sum(r64_mem);
            var sum_pref = pci_region_sum(r64_pref);
            var align_mem = pci_region_align(r64_mem);
            var align_pref = pci_region_align(r64_pref);

            r64_mem.@base = _romfile.romfile_loadint("etc/reserved-memory-end", 0);
            if (r64_mem.@base < GiB4 + RamSizeOver4G) r64_mem.@base = GiB4 + RamSizeOver4G;
            if (pci_mem64_top != 0)
            {
                // rel-1.16.3+: place the window at the top of the physical address space.
                var size = ALIGN(sum_mem, HugePage1G) + ALIGN(sum_pref, HugePage1G);
                if (pci_pad_mem64 != 0) size = ALIGN(size, pci_mem64_top >> PCI_MEM64_TOP_PAD_SHIFT);
                if (r64_mem.@base < pci_mem64_top - size) r64_mem.@base = pci_mem64_top - size;
                if (_e820.IsUsed(r64_mem.@base, size)) r64_mem.@base -= size;
            }
            r64_mem.@base = ALIGN(r64_mem.@base, align_mem);
            r64_mem.@base = ALIGN(r64_mem.@base, HugePage1G); // 1G hugepage
            r64_pref.@base = r64_mem.@base + sum_mem;
            r64_pref.@base = ALIGN(r64_pref.@base, align_pref);
            r64_pref.@base = ALIGN(r64_pref.@base, HugePage1G); // 1G hugepage
            pcimem64_start = r64_mem.@base;
            pcimem64_end = r64_pref.@base + sum_pref;
            pcimem64_end = ALIGN(pcimem64_end, HugePage1G); // 1G hugepage
            _log.Dprintf(1, $"PCI: 64: {DebugLog.Hex(pcimem64_start, 16, true)} - {DebugLog.Hex(pcimem64_end, 16, true)}");

            pci_region_map_entries(busses, r64_mem);
            pci_region_map_entries(busses, r64_pref);
        }
        else
        {
            // no bars mapped high -> drop 64bit window (see dsdt)
            pcimem64_start = 0;
        }
        // Map regions on each device.
        for (var bus = 0; bus <= MaxPCIBus; bus++)
        {
            for (var type = 0; type < PciBusRegions.PCI_REGION_TYPE_COUNT; type++)
                pci_region_map_entries(busses, busses[bus].r[type]);
        }
    }
}
