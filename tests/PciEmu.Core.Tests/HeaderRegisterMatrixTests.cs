using PciEmu.Core;
using PciEmu.Testing;

namespace PciEmu.Core.Tests;

/// <summary>
/// Every type-0 and type-1 header register × access width {1,2,4} × all-ones / all-zeros: only the bits QEMU 7.2
/// leaves writable change (reference qemu-devices.md §1.2), W1C bits clear only where written 1.
/// </summary>
public class HeaderRegisterMatrixTests
{
    // Expected (wmask, w1cmask) per register, from QEMU 7.2's pci_init_wmask / pci_init_w1cmask /
    // pci_init_mask_bridge and the BARs TestEndpoint registers. Registers not listed are fully read-only.
    private static readonly Dictionary<string, (uint Wmask, uint W1c)> Type0Expected = new()
    {
        ["COMMAND"] = (0x0507, 0),
        ["STATUS"] = (0, 0xf900),
        ["CACHE_LINE_SIZE"] = (0xff, 0),
        ["BASE_ADDRESS_0"] = (0xfffff000, 0),
        ["BASE_ADDRESS_1"] = (0xffffff00, 0),
        ["BASE_ADDRESS_2"] = (0xfff00000, 0),
        ["BASE_ADDRESS_3"] = (0xffffffff, 0),
        ["ROM_ADDRESS"] = (0xffff8001, 0),
        ["INTERRUPT_LINE"] = (0xff, 0),
    };

    private static readonly Dictionary<string, (uint Wmask, uint W1c)> Type1Expected = new()
    {
        ["COMMAND"] = (0x0507, 0),
        ["STATUS"] = (0, 0xf900),
        ["CACHE_LINE_SIZE"] = (0xff, 0),
        ["PRIMARY_BUS"] = (0xff, 0),
        ["SECONDARY_BUS"] = (0xff, 0),
        ["SUBORDINATE_BUS"] = (0xff, 0),
        ["SEC_LATENCY_TIMER"] = (0xff, 0),
        ["IO_BASE"] = (0xf0, 0),
        ["IO_LIMIT"] = (0xf0, 0),
        ["MEMORY_BASE"] = (0xfff0, 0),
        ["MEMORY_LIMIT"] = (0xfff0, 0),
        ["PREF_MEMORY_BASE"] = (0xfff0, 0),
        ["PREF_MEMORY_LIMIT"] = (0xfff0, 0),
        ["PREF_BASE_UPPER32"] = (0xffffffff, 0),
        ["PREF_LIMIT_UPPER32"] = (0xffffffff, 0),
        ["INTERRUPT_LINE"] = (0xff, 0),
        ["BRIDGE_CONTROL"] = (0x0bff, 0x0400),
    };

    public static TheoryData<bool, string, int, bool> Cases()
    {
        var data = new TheoryData<bool, string, int, bool>();
        foreach (var bridge in new[] { false, true })
        {
            foreach (var r in bridge ? Type1Header.All : Type0Header.All)
            {
                foreach (var width in new[] { 1, 2, 4 })
                {
                    data.Add(bridge, r.Name, width, true);
                    data.Add(bridge, r.Name, width, false);
                }
            }
        }
        return data;
    }

    private static byte[] ExpectedMask(bool bridge, bool w1c)
    {
        var mask = new byte[CommonHeader.Size];
        var table = bridge ? Type1Expected : Type0Expected;
        foreach (var r in bridge ? Type1Header.All : Type0Header.All)
        {
            if (!table.TryGetValue(r.Name, out var m)) continue;
            var v = w1c ? m.W1c : m.Wmask;
            for (var i = 0; i < r.Width; i++) mask[r.Offset + i] = (byte)(v >> (8 * i));
        }
        return mask;
    }

    private static PciFunction Make(bool bridge)
    {
        PciFunction f = bridge ? new TestBridge() : new TestEndpoint(romSize: 0x8000);
        f.Realize();
        return f;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Write_OnlyWritableBitsChange_W1cClearsOnlyWhereWrittenOne(bool bridge, string register, int width, bool ones)
    {
        var f = Make(bridge);
        var r = (bridge ? Type1Header.All : Type0Header.All).Single(x => x.Name == register);
        var wm = ExpectedMask(bridge, w1c: false);
        var w1c = ExpectedMask(bridge, w1c: true);
        // Preload every W1C bit as set so that clearing is observable.
        for (var i = 0; i < CommonHeader.Size; i++) f.Config.Data[i] |= w1c[i];
        var before = f.Config.ReadOnlyData[..CommonHeader.Size].ToArray();

        var offset = r.Offset;
        var value = ones ? uint.MaxValue : 0u;
        f.WriteConfig(offset, width, value);

        var after = f.Config.ReadOnlyData[..CommonHeader.Size].ToArray();
        for (var i = 0; i < CommonHeader.Size; i++)
        {
            byte expected = before[i];
            if (i >= offset && i < offset + width)
            {
                var b = ones ? (byte)0xff : (byte)0;
                expected = (byte)(((before[i] & ~wm[i]) | (b & wm[i])) & ~(b & w1c[i]));
            }
            Assert.True(expected == after[i],
                $"{register} w{width} {(ones ? "ones" : "zeros")}: byte 0x{i:x2} expected 0x{expected:x2} got 0x{after[i]:x2}");
        }
    }

    [Fact]
    public void Masks_MatchQemuDefaults_ForWholeHeader()
    {
        foreach (var bridge in new[] { false, true })
        {
            var f = Make(bridge);
            Assert.Equal(ExpectedMask(bridge, false), f.Config.WriteMask[..CommonHeader.Size].ToArray());
            Assert.Equal(ExpectedMask(bridge, true), f.Config.W1cMask[..CommonHeader.Size].ToArray());
        }
    }

    [Fact]
    public void Write_ToRw1cStatusBit_ClearsOnlyThatBit()
    {
        var f = Make(false);
        var status = CommonHeader.Status.Offset;
        f.Config.SetWord(status, (ushort)(StatusBits.RecMasterAbort | StatusBits.SigSystemError | StatusBits.RecTargetAbort));
        f.WriteConfig(status, 2, (uint)StatusBits.RecMasterAbort);
        Assert.Equal((ushort)(StatusBits.SigSystemError | StatusBits.RecTargetAbort), f.Config.GetWord(status));
    }

    [Fact]
    public void Scratch_From0x40_IsWritable_AndSurvivesReset()
    {
        var f = Make(false);
        f.WriteConfig(0x40, 4, 0xdeadbeef);
        f.WriteConfig(0xfc, 4, 0x12345678);
        f.Reset();
        Assert.Equal(0xdeadbeefu, f.ReadConfig(0x40, 4));
        Assert.Equal(0x12345678u, f.ReadConfig(0xfc, 4));
    }
}
