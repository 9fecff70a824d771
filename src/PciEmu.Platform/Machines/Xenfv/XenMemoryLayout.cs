namespace PciEmu.Platform.Machines.Xenfv;

/// <summary>
/// The guest-physical RAM layout libxl/libxc build for an HVM guest and pass to hvmloader in hvm_info
/// (libxl__build_hvm / libxl__domain_device_construct_rdm, xg_dom_x86.c): RAM below 4 GiB up to the MMIO hole start,
/// the rest above 4 GiB. Page frame numbers, as hvm_info carries them.
/// </summary>
public sealed record XenMemoryLayout(uint LowMemPgEnd, uint HighMemPgEnd, ulong MmioHoleSize)
{
    public const ulong MiB = 1UL << 20;
    public const ulong FourGiB = 1UL << 32;
    public const int PageShift = 12;

    /// <summary>HVM_BELOW_4G_MMIO_START / HVM_BELOW_4G_MMIO_LENGTH (public/hvm/e820.h).</summary>
    public const ulong Below4GMmioStart = 0xF0000000;
    public const ulong Below4GMmioLength = 0x10000000;

    /// <summary>
    /// mem = maxmem − videoram; mmio_size = the mmio_hole when it moves the start below HVM_BELOW_4G_MMIO_START, else
    /// 256 MiB; low RAM ends at min(mem, 4 GiB − mmio_size), the remainder starts at 4 GiB.
    /// </summary>
    public static XenMemoryLayout Compute(ulong memoryMiB, ulong maxMemMiB, ulong videoRamMiB, ulong? mmioHoleMiB)
    {
        var mem = (Math.Max(memoryMiB, maxMemMiB) - Math.Min(videoRamMiB, Math.Max(memoryMiB, maxMemMiB))) * MiB;
        var mmioSize = Below4GMmioLength;
        ulong holeBytes = 0;
        if (mmioHoleMiB is { } hole)
        {
            holeBytes = hole * MiB;
            if (FourGiB - holeBytes < Below4GMmioStart) mmioSize = holeBytes;
        }
        var mmioStart = FourGiB - mmioSize;
        // hvm_info carries page frame numbers in 32 bits.
        if ((FourGiB + mem) >> PageShift > uint.MaxValue) throw new QemuException($"xenfv: {mem / MiB} MiB of RAM does not fit hvm_info's 32-bit page numbers");
        if (mem > mmioStart)
            return new((uint)(mmioStart >> PageShift), (uint)((FourGiB + mem - mmioStart) >> PageShift), holeBytes);
        return new((uint)(mem >> PageShift), 0, holeBytes);
    }

    public ulong LowRamEnd => (ulong)LowMemPgEnd << PageShift;
}
