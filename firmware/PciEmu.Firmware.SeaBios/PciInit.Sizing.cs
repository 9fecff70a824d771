using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

internal sealed partial class PciInit
{
    /// <summary>region_type_name.</summary>
    private static string region_type_name(PciRegionType type) => type switch
    {
        PciRegionType.PCI_REGION_TYPE_IO => "io",
        PciRegionType.PCI_REGION_TYPE_MEM => "mem",
        _ => "prefmem",
    };

    /// <summary>pci_bar: the config offset of BAR <paramref name="region_num"/>; the ROM slot depends on header type.</summary>
    private static int pci_bar(PciDevice pci, int region_num)
    {
        if (region_num != PCI_ROM_SLOT) return PCI_BASE_ADDRESS_0 + region_num * 4;
        var type = (byte)(pci.header_type & ~PCI_HEADER_TYPE_MULTI_FUNCTION);
        return type == PCI_HEADER_TYPE_BRIDGE ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
    }

    /// <summary>pci_bios_get_bar: size one BAR by the all-ones write, restoring the old value.</summary>
    private void pci_bios_get_bar(PciDevice pci, int bar, out PciRegionType ptype, out ulong psize, out bool pis64)
    {
        var ofs = pci_bar(pci, bar);
        var bdf = pci.bdf;
        var old = _pci.pci_config_readl(bdf, ofs);
        var is64 = false;
        var type = PciRegionType.PCI_REGION_TYPE_MEM;
        ulong mask;

        if (bar == PCI_ROM_SLOT)
        {
            mask = PCI_ROM_ADDRESS_MASK;
            _pci.pci_config_writel(bdf, ofs, (uint)mask);
        }
        else
        {
            if ((old & PCI_BASE_ADDRESS_SPACE_IO) != 0)
            {
                mask = PCI_BASE_ADDRESS_IO_MASK;
                type = PciRegionType.PCI_REGION_TYPE_IO;
            }
            else
            {
                mask = PCI_BASE_ADDRESS_MEM_MASK;
                if ((old & PCI_BASE_ADDRESS_MEM_PREFETCH) != 0) type = PciRegionType.PCI_REGION_TYPE_PREFMEM;
                is64 = (old & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;
            }
            _pci.pci_config_writel(bdf, ofs, ~0u);
        }
        ulong val = _pci.pci_config_readl(bdf, ofs);
        _pci.pci_config_writel(bdf, ofs, old);
        if (is64)
        {
            var hold = _pci.pci_config_readl(bdf, ofs + 4);
            _pci.pci_config_writel(bdf, ofs + 4, ~0u);
            var high = _pci.pci_config_readl(bdf, ofs + 4);
            _pci.pci_config_writel(bdf, ofs + 4, hold);
            val |= (ulong)high << 32;
            mask |= 0xffffffffUL << 32;
            psize = ~(val & mask) + 1;
        }
        else
        {
            psize = (~(val & mask) + 1) & 0xffffffff;
        }
        ptype = type;
        pis64 = is64;
    }

    /// <summary>pci_bios_bridge_region_is64: a 64-bit PREF window whose children are all 64-bit.</summary>
    private bool pci_bios_bridge_region_is64(PciRegion r, PciDevice pci, PciRegionType type)
    {
        if (type != PciRegionType.PCI_REGION_TYPE_PREFMEM) return false;
        var pmem = _pci.pci_config_readl(pci.bdf, PCI_PREF_MEMORY_BASE);
        if (pmem == 0)
        {
            _pci.pci_config_writel(pci.bdf, PCI_PREF_MEMORY_BASE, PCI_PREF_PROBE_PATTERN);
            pmem = _pci.pci_config_readl(pci.bdf, PCI_PREF_MEMORY_BASE);
            _pci.pci_config_writel(pci.bdf, PCI_PREF_MEMORY_BASE, 0x0);
        }
        if ((pmem & PCI_PREF_RANGE_TYPE_MASK) != PCI_PREF_RANGE_TYPE_64) return false;
        foreach (var entry in r.list)
        {
            if (!entry.is64) return false;
        }
        return true;
    }

    /// <summary>pci_region_align: the first (largest) alignment, or 1 for an empty list.</summary>
    private static ulong pci_region_align(PciRegion r) => r.list.Count > 0 ? r.list[0].align : 1;

    /// <summary>pci_region_sum.</summary>
    private static ulong pci_region_sum(PciRegion r)
    {
        ulong sum = 0;
        foreach (var entry in r.list) sum += entry.size;
        return sum;
    }

    /// <summary>pci_region_create_entry: insert before the first entry with smaller align, or equal align and smaller size.</summary>
    private static PciRegionEntry pci_region_create_entry(PciBusRegions bus, PciDevice dev, int bar, ulong size, ulong align, PciRegionType type, bool is64)
    {
        var entry = new PciRegionEntry { dev = dev, bar = bar, size = size, align = align, is64 = is64, type = type };
        var list = bus.r[(int)type].list;
        var pos = 0;
        for (; pos < list.Count; pos++)
        {
            var p = list[pos];
            if (p.align < align || (p.align == align && p.size < size)) break;
        }
        list.Insert(pos, entry);
        return entry;
    }

    /// <summary>pci_bus_hotplug_support: PCIe root/downstream ports with Slot Implemented, or an SHPC capability.</summary>
    private HotplugType pci_bus_hotplug_support(PciBusRegions bus, byte pcie_cap)
    {
        var bdf = bus.bus_dev!.bdf;
        if (pcie_cap != 0)
        {
            var pcie_flags = _pci.pci_config_readw(bdf, pcie_cap + PCI_EXP_FLAGS);
            var port_type = (byte)((pcie_flags & PCI_EXP_FLAGS_TYPE) >> PCI_EXP_FLAGS_TYPE_SHIFT);

            if (port_type != PCI_EXP_TYPE_PCI_BRIDGE)
            {
                var downstream_port = port_type is PCI_EXP_TYPE_DOWNSTREAM or PCI_EXP_TYPE_ROOT_PORT;
                // PCI Express SPEC, 7.8.2: Slot Implemented (undefined for upstream ports).
                var slot_implemented = (pcie_flags & PCI_EXP_FLAGS_SLOT) != 0;
                return downstream_port && slot_implemented ? HotplugType.HOTPLUG_PCIE : HotplugType.HOTPLUG_NO_SUPPORTED;
            }
        }

        // check_shpc:
        var shpc_cap = _pci.pci_find_capability(bdf, PCI_CAP_ID_SHPC, 0);
        return shpc_cap != 0 ? HotplugType.HOTPLUG_SHPC : HotplugType.HOTPLUG_NO_SUPPORTED;
    }

    /// <summary>
    /// pci_bridge_has_region: whether the bridge forwards the type (I/O and PREF probed with 0xFF; MEM is mandatory).
    /// Leaves the probe value in the base register.
    /// </summary>
    private bool pci_bridge_has_region(PciDevice pci, PciRegionType region_type)
    {
        int @base;
        switch (region_type)
        {
            case PciRegionType.PCI_REGION_TYPE_IO:
                @base = PCI_IO_BASE;
                break;
            case PciRegionType.PCI_REGION_TYPE_PREFMEM:
                @base = PCI_PREF_MEMORY_BASE;
                break;
            default:
                return true; // Regular memory support is mandatory
        }
        _pci.pci_config_writeb(pci.bdf, @base, 0xff);
        return _pci.pci_config_readb(pci.bdf, @base) != 0;
    }

    /// <summary>pci_bios_check_devices: pass #1, size every BAR and every bridge window, bottom-up.</summary>
    private void pci_bios_check_devices(PciBusRegions[] busses)
    {
        _log.Dprintf(1, "PCI: check devices");

        // Calculate resources needed for regular (non-bus) devices.
        foreach (var pci in _devices.All)
        {
            if (pci.@class == PCI_CLASS_BRIDGE_PCI) busses[pci.secondary_bus].bus_dev = pci;

            var bus = busses[PciConfig.pci_bdf_to_bus(pci.bdf)];
            if (bus.bus_dev is null) bus = busses[0]; // Resources for all root busses go in busses[0]
            for (var i = 0; i < PCI_NUM_REGIONS; i++)
            {
                if (pci.@class == PCI_CLASS_BRIDGE_PCI && i >= PCI_BRIDGE_NUM_REGIONS && i < PCI_ROM_SLOT) continue;
                pci_bios_get_bar(pci, i, out var type, out var size, out var is64);
                if (size == 0) continue;

                if (type != PciRegionType.PCI_REGION_TYPE_IO && size < PCI_DEVICE_MEM_MIN) size = PCI_DEVICE_MEM_MIN;
                pci_region_create_entry(bus, pci, i, size, size, type, is64);

                if (is64) i++;
            }
        }

        // Propagate required bus resources to parent busses.
        for (var secondary_bus = MaxPCIBus; secondary_bus > 0; secondary_bus--)
        {
            var s = busses[secondary_bus];
            if (s.bus_dev is null) continue;
            var parent = busses[PciConfig.pci_bdf_to_bus(s.bus_dev.bdf)];
            if (parent.bus_dev is null) parent = busses[0]; // Resources for all root busses go in busses[0]
            var bdf = s.bus_dev.bdf;
            var pcie_cap = _pci.pci_find_capability(bdf, PCI_CAP_ID_EXP, 0);
            var qemu_cap = pci_find_resource_reserve_capability(bdf);

            var hotplug_support = pci_bus_hotplug_support(s, pcie_cap);
            for (var type = PciRegionType.PCI_REGION_TYPE_IO; type <= PciRegionType.PCI_REGION_TYPE_PREFMEM; type++)
            {
                var align = type == PciRegionType.PCI_REGION_TYPE_IO ? PCI_BRIDGE_IO_MIN : PCI_BRIDGE_MEM_MIN;
                if (!pci_bridge_has_region(s.bus_dev, type)) continue;
                var size = qemu_cap != 0 ? ReadReservation(bdf, qemu_cap, type) : 0;
                var child = s.r[(int)type];
                if (pci_region_align(child) > align) align = pci_region_align(child);
                var sum = pci_region_sum(child);
                // rel-1.16.3 moved the is64 probe before the hot-plug logic (it pads 64-bit windows).
                var padding = AtLeast(SeaBiosRelease.Rel_1_16_3);
                var is64 = padding && pci_bios_bridge_region_is64(child, s.bus_dev, type);
                var resource_optional = false;
                if (hotplug_support == HotplugType.HOTPLUG_PCIE)
                    resource_optional = pcie_cap != 0 && type == PciRegionType.PCI_REGION_TYPE_IO;
                if (padding)
                {
                    var top_align = pci_mem64_top >> PCI_MEM64_TOP_ALIGN_SHIFT;
                    if (hotplug_support != HotplugType.HOTPLUG_NO_SUPPORTED && pci_pad_mem64 != 0 && is64
                        && type == PciRegionType.PCI_REGION_TYPE_PREFMEM && (top_align > align || !AtLeast(SeaBiosRelease.Rel_1_17_0)))
                        align = top_align;
                    if (align > sum && hotplug_support != HotplugType.HOTPLUG_NO_SUPPORTED && !resource_optional)
                        sum = align; // reserve min size for hot-plug
                }
                else if (sum == 0 && hotplug_support != HotplugType.HOTPLUG_NO_SUPPORTED && !resource_optional)
                {
                    sum = align; // reserve min size for hot-plug
                }
                if (size > sum)
                {
                    _log.Dprintf(1, $"PCI: QEMU resource reserve cap: size {DebugLog.Hex(size, 8, true)} type {region_type_name(type)}");
                    if (type != PciRegionType.PCI_REGION_TYPE_IO) size = ALIGN(size, align);
                }
                else
                {
                    size = ALIGN(sum, align);
                }
                if (!padding) is64 = pci_bios_bridge_region_is64(child, s.bus_dev, type);
                // entry->bar is -1 if the entry represents a bridge region
                var entry = pci_region_create_entry(parent, s.bus_dev, -1, size, align, type, is64);
                _log.Dprintf(1, $"PCI: secondary bus {DebugLog.Dec(entry.dev.secondary_bus)} size {DebugLog.Hex(size, 8, true)} type {region_type_name(entry.type)}");
            }
        }
    }

    /// <summary>The switch on type inside pci_bios_check_devices that reads the reservation capability.</summary>
    private ulong ReadReservation(int bdf, byte qemu_cap, PciRegionType type)
    {
        ulong size = 0;
        switch (type)
        {
            case PciRegionType.PCI_REGION_TYPE_IO:
                {
                    var tmp_size_64 = _pci.pci_config_readl(bdf, qemu_cap + RES_RESERVE_IO)
                                      | ((ulong)_pci.pci_config_readl(bdf, qemu_cap + RES_RESERVE_IO + 4) << 32);
                    if (tmp_size_64 != ulong.MaxValue) size = tmp_size_64;
                    break;
                }
            case PciRegionType.PCI_REGION_TYPE_MEM:
                {
                    var tmp_size = _pci.pci_config_readl(bdf, qemu_cap + RES_RESERVE_MEM);
                    if (tmp_size != uint.MaxValue) size = tmp_size;
                    break;
                }
            case PciRegionType.PCI_REGION_TYPE_PREFMEM:
                {
                    var tmp_size = _pci.pci_config_readl(bdf, qemu_cap + RES_RESERVE_PREF_MEM_32);
                    var tmp_size_64 = _pci.pci_config_readl(bdf, qemu_cap + RES_RESERVE_PREF_MEM_64)
                                      | ((ulong)_pci.pci_config_readl(bdf, qemu_cap + RES_RESERVE_PREF_MEM_64 + 4) << 32);
                    if (tmp_size != uint.MaxValue && tmp_size_64 == ulong.MaxValue) size = tmp_size;
                    else if (tmp_size == uint.MaxValue && tmp_size_64 != ulong.MaxValue) size = tmp_size_64;
                    else if (tmp_size != uint.MaxValue && tmp_size_64 != ulong.MaxValue)
                        _log.Dprintf(1, "PCI: resource reserve cap PREF32 and PREF64 conflict");
                    break;
                }
        }
        return size;
    }

    /// <summary>ALIGN(x, a).</summary>
    private static ulong ALIGN(ulong x, ulong a) => (x + a - 1) & ~(a - 1);

    /// <summary>ALIGN_DOWN(x, a).</summary>
    private static ulong ALIGN_DOWN(ulong x, ulong a) => x & ~(a - 1);
}
