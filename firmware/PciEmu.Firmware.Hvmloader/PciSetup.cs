using System.Globalization;
using PciEmu.Core;
using static PciEmu.Firmware.Hvmloader.HvmloaderDefs;

namespace PciEmu.Firmware.Hvmloader;

/// <summary>
/// tools/firmware/hvmloader/pci.c <c>pci_setup()</c> at RELEASE-4.5.0 and RELEASE-4.20.0, kept in its shape: IRQ routing,
/// the bus 0 scan with the size-sorted BAR list, sizing (and lowering) the MMIO hole, RAM relocation, placement largest
/// first (64-bit BARs above 4 GiB when the low hole is exhausted), decode enables. Version differences are marked
/// <c>V4_5</c> / <c>V4_20</c> where the two sources differ.
/// </summary>
internal sealed class PciSetup
{
    /// <summary>struct bars: one entry of the descending-size list.</summary>
    private readonly record struct BarEntry(bool Is64Bar, uint DevFn, int BarReg, ulong BarSz);

    /// <summary>struct resource: next free address and the end (exclusive).</summary>
    private sealed class Resource(ulong @base, ulong max)
    {
        public ulong Base = @base;
        public ulong Max = max;
    }

    private readonly HvmloaderPci _pci;
    private readonly HvmloaderInput _in;
    private readonly List<string> _log = [];
    private readonly bool _v420;

    // The globals pci.c shares with the ACPI builder and the MTRR setup.
    private uint _pciMemStart = HvmBelow4GMmioStart;
    private readonly uint _pciMemEnd = ReservedMemBase;
    private ulong _pciHiMemStart;
    private ulong _pciHiMemEnd;
    private uint _lowMemPgEnd;
    private uint _highMemPgEnd;
    private uint _allocDown = ReservedMemoryDynamicEnd;

    public PciSetup(IConfigAccessor cfg, HvmloaderInput input)
    {
        _pci = new HvmloaderPci(cfg);
        _in = input;
        _v420 = input.Version == HvmloaderVersion.V4_20;
        _lowMemPgEnd = input.LowMemPgEnd;
        _highMemPgEnd = input.HighMemPgEnd;
    }

    public HvmloaderResult Run()
    {
        string? failure = null;
        int? vga = null;
        try
        {
            vga = PciSetupBody();
        }
        catch (HvmloaderAssertionException e)
        {
            failure = e.Message;
            _log.Add(e.Message);
        }
        return new HvmloaderResult
        {
            Log = _log,
            Failure = failure,
            PciMemStart = _pciMemStart,
            PciMemEnd = _pciMemEnd,
            PciHiMemStart = _pciHiMemStart,
            PciHiMemEnd = _pciHiMemEnd,
            LowMemPgEnd = _lowMemPgEnd,
            HighMemPgEnd = _highMemPgEnd,
            VgaDevFn = vga,
        };
    }

    private void Printf(string line) => _log.Add(line);

    /// <summary>pci_setup (returns vga_devfn, null when none).</summary>
    private int? PciSetupBody()
    {
        byte bar64Relocate = 0;
        ulong mmioTotal = 0;
        uint vgaDevFn = 256;
        var virtualVga = VirtualVga.None;
        var decodeType = new byte[256]; // pci_devfn_decode_type (4.14+)
        var bars = new List<BarEntry>();

        var allowMemoryRelocate = _in.AllowMemoryRelocate ?? true;
        Printf($"Relocating guest memory for lowmem MMIO space {(allowMemoryRelocate ? "enabled" : "disabled")}");
        var mmioHoleSize = _in.MmioHoleSize;

        // Program PCI-ISA bridge with appropriate link routes.
        uint isaIrq = 0;
        for (var link = 0; link < 4; link++)
        {
            do
            {
                isaIrq = (isaIrq + 1) & 15;
            }
            while ((PciIsaIrqMask & (1u << (int)isaIrq)) == 0);
            _pci.WriteB(PciIsaDevFn, PiixIrqRouteBase + link, (byte)isaIrq);
            Printf($"PCI-ISA link {link} routed to IRQ{isaIrq}");
        }

        // Program ELCR to match PCI-wired IRQs.
        _in.OutB?.Invoke(0x4d0, (byte)(PciIsaIrqMask & 0xff));
        _in.OutB?.Invoke(0x4d1, (byte)(PciIsaIrqMask >> 8));

        // Scan the PCI bus and map resources.
        for (uint devfn = 0; devfn < 256; devfn++)
        {
            var @class = _pci.ReadW(devfn, PciClassDevice);
            var vendorId = _pci.ReadW(devfn, PciVendorId);
            var deviceId = _pci.ReadW(devfn, PciDeviceId);
            if (vendorId == 0xffff && deviceId == 0xffff) continue;

            Assert(devfn != PciIsaDevFn || (vendorId == VendorIntel && deviceId == DevicePiix3Isa),
                "(devfn != PCI_ISA_DEVFN) || ((vendor_id == 0x8086) && (device_id == 0x7000))", 170, 118);

            switch (@class)
            {
                case ClassDisplayVga:
                    // If emulated VGA is found, preserve it as primary VGA.
                    if (vendorId == VendorBochs && deviceId == DeviceStdVga)
                    {
                        vgaDevFn = devfn;
                        virtualVga = VirtualVga.Std;
                    }
                    else if (vendorId == VendorCirrus && deviceId == DeviceCirrus5446)
                    {
                        vgaDevFn = devfn;
                        virtualVga = VirtualVga.Cirrus;
                    }
                    else if (virtualVga == VirtualVga.None)
                    {
                        vgaDevFn = devfn;
                        virtualVga = VirtualVga.Passthrough;
                        if (vendorId == VendorIntel)
                        {
                            var igdOpregionPgbase = MemHoleAlloc(IgdOpregionPages);
                            _pci.WriteL(vgaDevFn, PciIntelOpregion, igdOpregionPgbase << PageShift);
                        }
                    }
                    break;
                case ClassBridgeOther:
                    // PIIX4 ACPI PM. Special device with special PCI config space.
                    Assert(vendorId == VendorIntel && deviceId == DevicePiix4Acpi,
                        "(vendor_id == 0x8086) && (device_id == 0x7113)", 206, 154);
                    _pci.WriteW(devfn, 0x20, 0x0000); // No smb bus IO enable
                    _pci.WriteW(devfn, 0xd2, 0x0000); // No smb bus IO enable
                    _pci.WriteW(devfn, 0x22, 0x0000);
                    _pci.WriteW(devfn, 0x3c, 0x0009); // Hardcoded IRQ9
                    _pci.WriteW(devfn, 0x3d, 0x0001);
                    _pci.WriteL(devfn, 0x40, AcpiPm1aEvtBlkAddressV1 | 1);
                    _pci.WriteB(devfn, 0x80, 0x01); // enable PM io space
                    break;
                case ClassStorageIde:
                    if (vendorId == VendorIntel)
                    {
                        // Intel ICHs since PIIX3: enable IDE legacy mode.
                        _pci.WriteW(devfn, 0x40, 0x8000); // enable IDE0
                        _pci.WriteW(devfn, 0x42, 0x8000); // enable IDE1
                    }
                    break;
            }

            if (_v420)
            {
                // BAR programming with decode bits cleared (a8e0c228c7, 4.14).
                var cmd = _pci.ReadW(devfn, PciCommand);
                cmd &= unchecked((ushort)~(PciCommandMemory | PciCommandIo));
                _pci.WriteW(devfn, PciCommand, cmd);
            }

            // Map the I/O memory and port resources.
            for (var bar = 0; bar < 7; bar++)
            {
                var barReg = PciBaseAddress0 + 4 * bar;
                if (bar == 6) barReg = PciRomAddress;

                var barData = _pci.ReadL(devfn, barReg);
                bool is64Bar;
                if (!_v420 || barReg != PciRomAddress)
                {
                    is64Bar = (barData & (PciBaseAddressSpaceIo | PciBaseAddressMemTypeMask)) == PciBaseAddressMemType64;
                    _pci.WriteL(devfn, barReg, ~0u);
                }
                else
                {
                    is64Bar = false;
                    _pci.WriteL(devfn, barReg, (barData | PciRomAddressMask) & ~PciRomAddressEnable);
                }
                ulong barSz = _pci.ReadL(devfn, barReg);
                _pci.WriteL(devfn, barReg, barData);

                if (!_v420 || barReg != PciRomAddress)
                    barSz &= (barData & PciBaseAddressSpaceIo) == 0 ? PciBaseAddressMemMask : (PciBaseAddressIoMask & 0xffff);
                else
                    barSz &= PciRomAddressMask;
                if (is64Bar)
                {
                    var barDataUpper = _pci.ReadL(devfn, barReg + 4);
                    _pci.WriteL(devfn, barReg + 4, ~0u);
                    ulong barSzUpper = _pci.ReadL(devfn, barReg + 4);
                    _pci.WriteL(devfn, barReg + 4, barDataUpper);
                    barSz = (barSzUpper << 32) | barSz;
                }
                barSz &= ~(barSz - 1);
                if (barSz == 0) continue;

                // Insert before the first strictly smaller entry: descending, stable among equal sizes.
                var i = 0;
                while (i < bars.Count && bars[i].BarSz >= barSz) i++;
                bars.Insert(i, new BarEntry(is64Bar, devfn, barReg, barSz));

                var isMemory = (barData & PciBaseAddressSpaceIo) == 0;
                if (_v420)
                {
                    if (is64Bar && barSz > BarRelocThresh) bar64Relocate = 1;
                    else if (isMemory || barReg == PciRomAddress) mmioTotal += barSz;
                }
                else if (isMemory)
                {
                    mmioTotal += barSz;
                }

                // The upper half is already calculated, skip it!
                if (is64Bar) bar++;
            }

            // Map the interrupt.
            var pin = _pci.ReadB(devfn, PciInterruptPin);
            if (pin != 0)
            {
                // This is the barber's pole mapping used by Xen.
                var link = ((pin - 1) + (int)(devfn >> 3)) & 3;
                isaIrq = _pci.ReadB(PciIsaDevFn, PiixIrqRouteBase + link);
                _pci.WriteB(devfn, PciInterruptLine, (byte)isaIrq);
                Printf(string.Create(CultureInfo.InvariantCulture, $"pci dev {devfn >> 3:x2}:{devfn & 7:x} INT{(char)('A' + pin - 1)}->IRQ{isaIrq}"));
            }

            if (_v420)
            {
                // Enable bus master for this function later.
                decodeType[devfn] = (byte)PciCommandMaster;
            }
            else
            {
                // Enable bus mastering.
                var cmd = _pci.ReadW(devfn, PciCommand);
                cmd |= PciCommandMaster;
                _pci.WriteW(devfn, PciCommand, cmd);
            }
        }

        if (mmioHoleSize != 0)
        {
            var maxRamBelow4G = FourGiB - mmioHoleSize;
            if (maxRamBelow4G > HvmBelow4GMmioStart)
            {
                Printf($"max_ram_below_4g=0x{HvmloaderPci.Llx(maxRamBelow4G)} too big for mmio_hole_size=0x{HvmloaderPci.Llx(mmioHoleSize)} has been ignored.");
            }
            else
            {
                _pciMemStart = (uint)maxRamBelow4G;
                Printf(_v420
                    ? $"pci_mem_start=0x{HvmloaderPci.Hex(_pciMemStart)} (was 0x{HvmloaderPci.Hex(HvmBelow4GMmioStart)}) for mmio_hole_size=0x{HvmloaderPci.Hex(mmioHoleSize)}"
                    : $"pci_mem_start=0x{HvmloaderPci.Hex(_pciMemStart)} (was 0x{HvmloaderPci.Hex(HvmBelow4GMmioStart)}) for mmio_hole_size={mmioHoleSize.ToString(CultureInfo.InvariantCulture)}");
            }
        }
        else
        {
            // Grow the hole until big enough, 2 GiB, or (without relocation) until it would overlap guest RAM.
            while (mmioTotal > (ulong)(_pciMemEnd - _pciMemStart)
                   && (uint)(_pciMemStart << 1) != 0
                   && (allowMemoryRelocate || ((uint)(_pciMemStart << 1) >> PageShift) >= _lowMemPgEnd))
            {
                _pciMemStart <<= 1;
            }

            // 4.6+: accommodate RMRRs on a best-effort basis.
            if (_v420 && _pciMemStart > (ulong)_lowMemPgEnd << PageShift && CheckOverlapAll(_pciMemStart, _pciMemEnd - _pciMemStart))
                _pciMemStart = _lowMemPgEnd << PageShift;
        }

        if (mmioTotal > (ulong)(_pciMemEnd - _pciMemStart) || (_v420 && bar64Relocate != 0))
        {
            Printf("Low MMIO hole not large enough for all devices, relocating some BARs to 64-bit");
            bar64Relocate = 1;
        }

        // Relocate RAM that overlaps PCI space (in 64k-page chunks).
        while ((_pciMemStart >> PageShift) < _lowMemPgEnd)
        {
            var nrPages = Math.Min(_lowMemPgEnd - (_pciMemStart >> PageShift), (1u << 16) - 1);
            if (_highMemPgEnd == 0) _highMemPgEnd = 1u << (32 - PageShift);
            _lowMemPgEnd -= nrPages;
            Printf($"Relocating 0x{HvmloaderPci.Hex(nrPages)} pages from {HvmloaderPci.Llx((ulong)_lowMemPgEnd << PageShift)} to {HvmloaderPci.Llx((ulong)_highMemPgEnd << PageShift)} for lowmem MMIO hole");
            // XENMEM_add_to_physmap(gmfn_range, idx = low_mem_pgend, gpfn = high_mem_pgend, size = nr_pages)
            _highMemPgEnd += nrPages;
        }

        // adjust_memory_map() (4.6+) only syncs hvmloader's copy of the E820; nothing here reads it again.

        var highMem = new Resource((ulong)_highMemPgEnd << PageShift, 0);
        if (highMem.Base < FourGiB)
        {
            if (_highMemPgEnd != 0)
            {
                // No newline in the source: the next line is appended to this one on the console.
                Printf($"WARNING: hvm_info->high_mem_pgend {HvmloaderPci.Hex(_highMemPgEnd)} does not point into high memory!");
            }
            highMem.Base = FourGiB;
        }
        Printf($"{(_highMemPgEnd != 0 ? string.Empty : "No ")}RAM in high memory; setting high_mem resource base to {HvmloaderPci.Llx(highMem.Base)}");
        highMem.Max = 1UL << _in.CpuPhysAddrBits;
        var mem = new Resource(_pciMemStart, _pciMemEnd);
        var io = new Resource(0xc000, 0x10000);

        // Assign iomem and ioport resources in descending order of size.
        foreach (var entry in bars)
        {
            var devfn = entry.DevFn;
            var barReg = entry.BarReg;
            var barSz = entry.BarSz;

            // Relocate to high memory if the total MMIO needed is more than the low MMIO available (4.20: or huge).
            var using64Bar = entry.Is64Bar && bar64Relocate != 0
                && (mmioTotal > mem.Max - mem.Base || (_v420 && barSz > BarRelocThresh));
            var barData = _pci.ReadL(devfn, barReg);

            Resource resource;
            if ((barData & PciBaseAddressSpaceIo) == 0)
            {
                // Mapping high memory if PCI device is 64 bits bar.
                if (using64Bar)
                {
                    if ((highMem.Base & (barSz - 1)) != 0)
                        highMem.Base = highMem.Base - (highMem.Base & (barSz - 1)) + barSz;
                    if (_pciHiMemStart == 0) _pciHiMemStart = highMem.Base;
                    resource = highMem;
                }
                else
                {
                    resource = mem;
                }
                barData &= ~PciBaseAddressMemMask;
                if (!_v420 || barSz <= BarRelocThresh) mmioTotal -= barSz;
            }
            else
            {
                resource = io;
                barData &= ~PciBaseAddressIoMask;
            }

            var @base = (resource.Base + barSz - 1) & ~(barSz - 1);

            // If we're using mem_resource, check for RMRR conflicts (4.6+).
            if (_v420 && resource == mem)
            {
                var next = FindNextRmrr(@base);
                while (next is { } r && CheckOverlap(@base, barSz, r.Address, r.Size))
                {
                    @base = r.Address + r.Size;
                    @base = (@base + barSz - 1) & ~(barSz - 1);
                    next = FindNextRmrr(@base);
                }
            }

            barData |= (uint)@base;
            var barDataUpper = (uint)(@base >> 32);
            @base += barSz;

            if (@base < resource.Base || @base > resource.Max)
            {
                Printf($"pci dev {devfn >> 3:x2}:{devfn & 7:x} bar {barReg:x2} size {HvmloaderPci.Llx(barSz)}: no space for resource!");
                continue;
            }

            resource.Base = @base;

            _pci.WriteL(devfn, barReg, barData);
            if (using64Bar) _pci.WriteL(devfn, barReg + 4, barDataUpper);
            Printf($"pci dev {devfn >> 3:x2}:{devfn & 7:x} bar {barReg:x2} size {HvmloaderPci.Llx(barSz)}: {HvmloaderPci.Hex(barDataUpper)}{barData:x8}");

            var decode = barReg == PciRomAddress || (barData & PciBaseAddressSpaceIo) == 0 ? PciCommandMemory : PciCommandIo;
            if (_v420)
            {
                decodeType[devfn] |= (byte)decode;
            }
            else
            {
                // Now enable the memory or I/O mapping.
                var cmd = _pci.ReadW(devfn, PciCommand);
                cmd |= decode;
                _pci.WriteW(devfn, PciCommand, cmd);
            }
        }

        if (_pciHiMemStart != 0)
        {
            // Make end address alignment match the start address one's (fewer variable-range MTRRs).
            _pciHiMemEnd = ((highMem.Base - 1) | ((_pciHiMemStart & (0 - _pciHiMemStart)) - 1)) + 1;
        }

        if (vgaDevFn != 256)
        {
            // VGA registers live in I/O space: the primary VGA gets I/O decode even without an I/O BAR.
            if (_v420)
            {
                decodeType[vgaDevFn] |= (byte)PciCommandIo;
            }
            else
            {
                var cmd = _pci.ReadW(vgaDevFn, PciCommand);
                cmd |= PciCommandIo;
                _pci.WriteW(vgaDevFn, PciCommand, cmd);
            }
        }

        if (_v420)
        {
            // Enable bus master, memory and I/O decode for all valid functions.
            for (uint devfn = 0; devfn < 256; devfn++)
            {
                if (decodeType[devfn] == 0) continue;
                var cmd = _pci.ReadW(devfn, PciCommand);
                cmd |= decodeType[devfn];
                _pci.WriteW(devfn, PciCommand, cmd);
            }
        }
        return vgaDevFn == 256 ? null : (int)vgaDevFn;
    }

    /// <summary>mem_hole_alloc (util.c): pages taken top-down below RESERVED_MEMORY_DYNAMIC_END.</summary>
    private uint MemHoleAlloc(int nrMfns)
    {
        _allocDown -= (uint)nrMfns << PageShift;
        return _allocDown >> PageShift;
    }

    /// <summary>check_overlap (util.h).</summary>
    private static bool CheckOverlap(ulong start, ulong size, ulong reservedStart, ulong reservedSize) =>
        start + size > reservedStart && reservedStart + reservedSize > start;

    /// <summary>check_overlap_all: the range overlaps an E820_RESERVED entry.</summary>
    private bool CheckOverlapAll(ulong start, ulong size) => _in.Reserved.Any(r => CheckOverlap(start, size, r.Address, r.Size));

    /// <summary>find_next_rmrr: the reserved entry with the lowest end above base and at or below 4 GiB.</summary>
    private ReservedRange? FindNextRmrr(ulong @base)
    {
        ReservedRange? next = null;
        var minEnd = FourGiB;
        foreach (var r in _in.Reserved)
        {
            var end = r.Address + r.Size;
            if (end > @base && end <= minEnd)
            {
                next = r;
                minEnd = end;
            }
        }
        return next;
    }

    /// <summary>ASSERT (util.h): hvmloader prints the failed expression and stops.</summary>
    private void Assert(bool ok, string expression, int line420, int line45)
    {
        if (ok) return;
        throw new HvmloaderAssertionException($"*** HVMLoader assertion '{expression}' failed at pci.c:{(_v420 ? line420 : line45)}");
    }

    /// <summary>enum virtual_vga.</summary>
    private enum VirtualVga
    {
        None,
        Std,
        Cirrus,
        Passthrough,
    }
}

/// <summary>An hvmloader ASSERT that failed (the loader stops; PciEmu reports it).</summary>
internal sealed class HvmloaderAssertionException(string message) : Exception(message);
