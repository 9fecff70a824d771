using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>q35 PCIEXBAR decode (qemu-devices.md §3.4, mch_update_pciexbar).</summary>
public sealed class MchPciexbarTests
{
    private const ulong MiB = 1 << 20;

    public static TheoryData<ulong, bool, ulong, ulong> Decodes() => new()
    {
        { 0xb0000000, false, 0xb0000000, 256 * MiB },
        { 0xb0000001, true, 0xb0000000, 256 * MiB },
        { 0xbe000001, true, 0xb0000000, 256 * MiB },        // bits 27:25 are not part of a 256 MiB base
        { 0xbe000003, true, 0xb6000000, 128 * MiB },        // 128 MiB: bits 35:28 + 26 + 25 (QEMU's mask, not 35:27)
        { 0xbe000005, true, 0xb2000000, 64 * MiB },         // 64 MiB: bits 35:28 + 25
        { 0xf_e000_0001, true, 0xf_e000_0000, 256 * MiB },
        { 0xffff_fff0_e000_0001, true, 0x0_e000_0000, 256 * MiB }, // bits 63:36 stored but ignored
    };

    [Theory]
    [MemberData(nameof(Decodes))]
    public void Decode_FollowsQemuMasks(ulong value, bool enabled, ulong @base, ulong size) =>
        Assert.Equal(new PciexbarMapping(enabled, @base, size), Q35Mch.Decode(value));

    [Fact]
    public void Decode_ReservedLength_IsNull() => Assert.Null(Q35Mch.Decode(0xb0000007));

    private static (Q35Mch Mch, List<PciexbarMapping> Events) Mch()
    {
        var mch = (Q35Mch)TestDevices.Realized("mch");
        var events = new List<PciexbarMapping>();
        mch.PciexbarChanged += events.Add;
        return (mch, events);
    }

    [Fact]
    public void Reset_IsDisabledAtB0000000()
    {
        var (mch, _) = Mch();
        Assert.Equal(0xb0000000u, mch.ReadConfig(Q35Mch.PciexbarOffset, 4));
        Assert.Equal(new PciexbarMapping(false, 0xb0000000, 256 * MiB), mch.Pciexbar);
    }

    [Fact]
    public void WriteEnable_RaisesEvent()
    {
        var (mch, events) = Mch();
        mch.WriteConfig(Q35Mch.PciexbarOffset, 4, 0xb0000001);
        Assert.Equal([new PciexbarMapping(true, 0xb0000000, 256 * MiB)], events);
        Assert.True(mch.Pciexbar.Enabled);
    }

    [Fact]
    public void WriteToHighDwordByte_ReDecodes()
    {
        var (mch, events) = Mch();
        mch.WriteConfig(Q35Mch.PciexbarOffset, 4, 0xe0000001);
        mch.WriteConfig(Q35Mch.PciexbarOffset + 4, 1, 0x0f);
        Assert.Equal(new PciexbarMapping(true, 0xf_e000_0000, 256 * MiB), events[^1]);
    }

    [Fact]
    public void ReservedLength_KeepsMapping_NoEvent()
    {
        var (mch, events) = Mch();
        mch.WriteConfig(Q35Mch.PciexbarOffset, 4, 0xb0000001);
        events.Clear();
        mch.WriteConfig(Q35Mch.PciexbarOffset, 4, 0xc0000007);
        Assert.Empty(events);
        Assert.Equal(0xc0000007u, mch.ReadConfig(Q35Mch.PciexbarOffset, 4));
        Assert.Equal(new PciexbarMapping(true, 0xb0000000, 256 * MiB), mch.Pciexbar);
    }

    [Fact]
    public void WriteOutsidePciexbar_NoEvent()
    {
        var (mch, events) = Mch();
        mch.WriteConfig(Q35Mch.PciexbarOffset - 4, 4, uint.MaxValue);
        mch.WriteConfig(Q35Mch.PciexbarOffset + 8, 4, uint.MaxValue);
        Assert.Empty(events);
    }

    [Fact]
    public void SmramLock_ClosesOpenAndFreezesMasks()
    {
        var (mch, _) = Mch();
        mch.WriteConfig(Q35Mch.Smram.Offset, 1, Q35Mch.SmramDOpen | 0x08);
        Assert.Equal(0x4a, mch.Config.GetByte(Q35Mch.Smram.Offset));
        mch.WriteConfig(Q35Mch.Smram.Offset, 1, Q35Mch.SmramDOpen | Q35Mch.SmramDLck | 0x08);
        Assert.Equal(0x1a, mch.Config.GetByte(Q35Mch.Smram.Offset));
        Assert.Equal(Q35Mch.SmramWritableLocked, mch.Config.WriteMask[Q35Mch.Smram.Offset]);
        Assert.Equal(0, mch.Config.WriteMask[Q35Mch.Esmramc.Offset]);
    }

    [Fact]
    public void FSmbaseQuery_ReadsInRamAndLocksMask()
    {
        var (mch, _) = Mch();
        mch.WriteConfig(Q35Mch.FSmbase.Offset, 1, Q35Mch.FSmbaseQuery);
        Assert.Equal(Q35Mch.FSmbaseInRam, mch.Config.GetByte(Q35Mch.FSmbase.Offset));
        Assert.Equal(Q35Mch.FSmbaseLock, mch.Config.WriteMask[Q35Mch.FSmbase.Offset]);
    }

    [Fact]
    public void ExtTseg_QueryAnsweredWithMbytes()
    {
        var (mch, _) = Mch();
        mch.WriteConfig(Q35Mch.ExtTsegMbytes.Offset, 2, 0xffff);
        Assert.Equal(16u, mch.ReadConfig(Q35Mch.ExtTsegMbytes.Offset, 2));
    }
}
