using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>All-ones / all-zeros writes at widths 1, 2, 4 over the whole config space of every device.</summary>
public sealed class RegisterMatrixTests
{
    public static TheoryData<string, int, uint> Matrix()
    {
        var data = new TheoryData<string, int, uint>();
        foreach (var name in TestDevices.All.Keys)
        {
            foreach (var width in new[] { 1, 2, 4 })
            {
                data.Add(name, width, uint.MaxValue);
                data.Add(name, width, 0);
            }
        }
        return data;
    }

    /// <summary>Bytes whose value a write's side effect may set beyond the write masks (documented QEMU behaviour).</summary>
    private static bool SideEffectByte(PciFunction f, int offset)
    {
        switch (f)
        {
            case PcieSlotPort p:
                // pcie_cap_slot_write_config: EIC toggles SLTSTA.EIS, every SLTCTL write latches SLTSTA.CC.
                var sta = p.ExpressCapOffset + PcieCap.SltSta;
                return offset == sta;
            case ShpcBridge { Shpc: { } shpc }:
                // The SHPC data dword mirrors the register file (its own masks), not the config write mask.
                var data = shpc.CapOffset + ShpcController.CapDwordData;
                return offset >= data && offset < data + 4;
            default:
                return false;
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Write_ChangesOnlyWritableAndW1cBits(string device, int width, uint value)
    {
        var f = TestDevices.Realized(device);
        var c = f.Config;
        for (var offset = 0; offset + width <= c.Size; offset += width)
        {
            var before = new byte[width];
            var wmask = new byte[width];
            var w1c = new byte[width];
            for (var i = 0; i < width; i++)
            {
                before[i] = c.GetByte(offset + i);
                wmask[i] = c.WriteMask[offset + i];
                w1c[i] = c.W1cMask[offset + i];
            }
            f.WriteConfig(offset, width, value);
            for (var i = 0; i < width; i++)
            {
                var o = offset + i;
                if (SideEffectByte(f, o)) continue;
                var after = c.GetByte(o);
                var changed = (byte)(before[i] ^ after);
                Assert.True((changed & ~(wmask[i] | w1c[i])) == 0,
                    $"{device}: write 0x{value:x} width {width} at 0x{offset:x3} changed RO bits 0x{changed & ~(wmask[i] | w1c[i]):x2} of byte 0x{o:x3}");
                if (value == 0)
                    Assert.True((changed & w1c[i] & before[i]) == 0, $"{device}: writing 0 cleared W1C bits at 0x{o:x3}");
                else
                    Assert.True((after & w1c[i]) == 0, $"{device}: writing 1 left W1C bits set at 0x{o:x3}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(DeviceNames))]
    public void W1cBits_ClearOnlyWhereWrittenOne(string device)
    {
        var f = TestDevices.Realized(device);
        var c = f.Config;
        for (var o = 0; o < c.Size; o++)
        {
            var w1c = c.W1cMask[o];
            if (w1c == 0 || SideEffectByte(f, o)) continue;
            var low = (byte)(w1c & -w1c);
            c.SetByte(o, (byte)(c.GetByte(o) | w1c));
            f.WriteConfig(o, 1, low);
            Assert.Equal((byte)(w1c & ~low), (byte)(c.GetByte(o) & w1c));
        }
    }

    public static TheoryData<string> DeviceNames() => new(TestDevices.All.Keys);
}
