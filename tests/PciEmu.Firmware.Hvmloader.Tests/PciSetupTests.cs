using PciEmu.Core;

namespace PciEmu.Firmware.Hvmloader.Tests;

/// <summary>The paths the published logs do not exercise, hand-derived from pci.c (4.5.0 / 4.20.0).</summary>
public class PciSetupTests
{
    private static readonly (int, string)[] Defaults = [(0x10, "xen-platform"), (0x18, "cirrus-vga"), (0x20, "rtl8139")];

    private static (HvmloaderResult Result, XenBus0 Bus) Run(HvmloaderInput input, params (int, string)[] extra)
    {
        var bus = XenBus0.Create([.. Defaults, .. extra]);
        return (HvmloaderFirmware.PciSetup(bus.Cf8, input), bus);
    }

    [Fact]
    public void AllowedRelocation_LowersTheHoleAndMovesRamAboveFourGiB_In64kPageChunks()
    {
        var (r, _) = Run(new HvmloaderInput { Version = HvmloaderVersion.V4_5, LowMemPgEnd = 0xf0000000 >> 12 }, (0x28, "gpu-standin"));
        Assert.Equal("Relocating guest memory for lowmem MMIO space enabled", r.Log[0]);
        Assert.Equal(0xe0000000u, r.PciMemStart);
        Assert.Contains("Relocating 0xffff pages from 0e0001000 to 100000000 for lowmem MMIO hole", r.Log);
        Assert.Contains("Relocating 0x1 pages from 0e0000000 to 10ffff000 for lowmem MMIO hole", r.Log);
        Assert.Contains("RAM in high memory; setting high_mem resource base to 110000000", r.Log);
        Assert.Equal(0xe0000u, r.LowMemPgEnd);
        Assert.Equal(0x110000u, r.HighMemPgEnd);
    }

    [Fact]
    public void QemuXenBrake_KeepsTheHole_AndRelocatesTheBiggest64BitBarHigh_WithA64BitAcpiWindow()
    {
        var (r, bus) = Run(new HvmloaderInput { LowMemPgEnd = 0xf0000000 >> 12, AllowMemoryRelocate = false }, (0x28, "gpu-standin"));
        Assert.Equal(0xf0000000u, r.PciMemStart);
        Assert.Contains("Low MMIO hole not large enough for all devices, relocating some BARs to 64-bit", r.Log);
        Assert.Contains("pci dev 05:0 bar 14 size 010000000: 10000000c", r.Log);
        Assert.Contains("pci dev 05:0 bar 1c size 002000000: 0f200000c", r.Log); // fits low once the 256 MiB BAR left
        Assert.Equal(new HvmloaderAcpiInfo(0xf0000000, 0x0c000000, 0x100000000, 0x100000000), r.AcpiInfo);
        Assert.Equal(1u, bus.Cf8.Read32(new Bdf(0, 5, 0), 0x18)); // upper dword written
    }

    [Fact]
    public void HugeBar_Version420_GoesHighWithoutGrowingTheHole_Version45_GrowsItToTwoGiB()
    {
        var v420 = Run(new HvmloaderInput { LowMemPgEnd = 0x7f800000 >> 12, AllowMemoryRelocate = false }, (0x28, "huge64-standin")).Result;
        Assert.Equal(0xf0000000u, v420.PciMemStart);
        Assert.Contains("Low MMIO hole not large enough for all devices, relocating some BARs to 64-bit", v420.Log);
        Assert.Contains("pci dev 05:0 bar 18 size 080000000: 10000000c", v420.Log);

        var v45 = Run(new HvmloaderInput { Version = HvmloaderVersion.V4_5, LowMemPgEnd = 0x7f800000 >> 12, AllowMemoryRelocate = false }, (0x28, "huge64-standin")).Result;
        Assert.Equal(0x80000000u, v45.PciMemStart);
        Assert.Contains("pci dev 05:0 bar 18 size 080000000: 10000000c", v45.Log);
    }

    [Fact]
    public void MmioHoleSmallerThanTheDefault_IsIgnored_AndDisablesLowering()
    {
        var (r, _) = Run(new HvmloaderInput { LowMemPgEnd = 0x7f800000 >> 12, MmioHoleSize = 128UL << 20 }, (0x28, "gpu-standin"));
        Assert.Contains("max_ram_below_4g=0x0f8000000 too big for mmio_hole_size=0x008000000 has been ignored.", r.Log);
        Assert.Equal(0xf0000000u, r.PciMemStart);
    }

    [Fact]
    public void MmioHole_Version45_PrintsTheSizeInDecimal()
    {
        var (r, _) = Run(new HvmloaderInput { Version = HvmloaderVersion.V4_5, LowMemPgEnd = 0x7f800000 >> 12, MmioHoleSize = 1UL << 30 });
        Assert.Contains("pci_mem_start=0xc0000000 (was 0xf0000000) for mmio_hole_size=1073741824", r.Log);
    }

    [Theory]
    [InlineData(HvmloaderVersion.V4_5)]
    [InlineData(HvmloaderVersion.V4_20)]
    public void Quirks_PiixPmIdeAndDecodeBits(HvmloaderVersion version)
    {
        var (r, bus) = Run(new HvmloaderInput { Version = version, LowMemPgEnd = 0x7f800000 >> 12 });
        var pm = new Bdf(0, 1, 3);
        Assert.Equal(0xb001u, bus.Cf8.Read32(pm, 0x40) & 0xffc1);
        Assert.Equal(10u, bus.Cf8.Read8(pm, 0x3c)); // IRQ9, then the odd word write, then the barber's pole
        Assert.Equal(0x8000u, bus.Cf8.Read16(new Bdf(0, 1, 1), 0x40));
        Assert.Equal(0x8000u, bus.Cf8.Read16(new Bdf(0, 1, 1), 0x42));
        Assert.Equal(0x7u, bus.Cf8.Read16(new Bdf(0, 3, 0), 0x04) & 0x7u); // VGA: master, memory and forced I/O
        Assert.Equal(0x7u, bus.Cf8.Read16(new Bdf(0, 4, 0), 0x04) & 0x7u);
        Assert.Equal((byte)5, bus.Cf8.Read8(new Bdf(0, 1, 0), 0x63));
        Assert.Equal(3, r.VgaDevFn >> 3);
    }
}
