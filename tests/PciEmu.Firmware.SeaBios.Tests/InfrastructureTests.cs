using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>The ported helpers: bvprintf's hex formatting and e820_add's split/merge rules.</summary>
public class InfrastructureTests
{
    [Theory]
    [InlineData(0xc000UL, 4, false, "c000")]
    [InlineData(0xbfffUL, 4, false, "bfff")]
    [InlineData(0x1000UL, 4, false, "1000")]
    [InlineData(0x800UL, 4, false, " 800")]
    [InlineData(0xfe600000UL, 8, true, "fe600000")]
    [InlineData(0xd000UL, 8, true, "0000d000")]
    [InlineData(0x180000000UL, 8, true, "180000000")]
    [InlineData(0x100000000UL, 8, true, "100000000")]
    [InlineData(0x80000000UL, 16, true, "0000000080000000")]
    [InlineData(0x240000000UL, 16, true, "0000000240000000")]
    [InlineData(0xb0000000UL, 0, false, "b0000000")]
    public void Hex_MatchesSeaBiosBvprintf(ulong value, int width, bool zeroPad, string expected) =>
        Assert.Equal(expected, DebugLog.Hex(value, width, zeroPad));

    [Fact]
    public void E820_AddSplitsAndMerges()
    {
        var map = new E820Map();
        map.Add(0, 0x40000000, E820Type.Ram);
        map.Add(0xfffc0000, 0x40000, E820Type.Reserved);
        map.Add(0x3d000000, 0x1000000, E820Type.Reserved);
        map.Add(0x3e000000, 0x1000000, E820Type.Reserved);
        Assert.Equal(
        [
            new E820Entry(0, 0x3d000000, E820Type.Ram),
            new E820Entry(0x3d000000, 0x2000000, E820Type.Reserved),
            new E820Entry(0x3f000000, 0x1000000, E820Type.Ram),
            new E820Entry(0xfffc0000, 0x40000, E820Type.Reserved),
        ], map.Entries);
        map.Remove(0x3f800000, 0x800000);
        Assert.Equal(new E820Entry(0x3f000000, 0x800000, E820Type.Ram), map.Entries[2]);
        Assert.Equal("  0: 0000000000000000 - 000000003d000000 = 1 RAM", map.DumpMap()[1]);
    }

    [Fact]
    public void RamSizesComeFromEtcE820()
    {
        var m = Support.TestMachine.Pc(4 * Support.TestMachine.GiB);
        var r = m.Run();
        Assert.Equal(
        [
            "Running on QEMU (i440fx)",
            "qemu/e820: addr 0x0000000000000000 len 0x00000000c0000000 [RAM]",
            "qemu/e820: addr 0x0000000100000000 len 0x0000000040000000 [RAM]",
            "Moving pm_base to 0x600",
        ], r.Log.Take(4));
        Assert.Equal(0xc0000000UL, r.Windows.PciMemStart);
        Assert.Contains(new E820Entry(0xfffc0000, 0x40000, E820Type.Reserved), r.E820);
    }
}
