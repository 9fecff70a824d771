using PciEmu.Core;
using PciEmu.Devices.Catalog;
using PciEmu.Devices.Devices;
using PciEmu.Fabric;
using PciEmu.Testing;
using Xunit.Abstractions;

namespace PciEmu.Robustness.Tests;

/// <summary>
/// Seeded random config cycles (any width, any aligned offset 0-0xFFF, any value, through CF8/CFC and ECAM) against
/// every device model and bridge: nothing throws, read-only bits never change, W1C bits clear only when written 1,
/// BAR size masks hold, absent functions read all ones.
/// </summary>
public class ConfigFuzzTests(ITestOutputHelper output)
{
    public const int CyclesPerDevice = 10_000;
    private const ulong EcamBase = 0xb0000000;

    /// <summary>Every modelled device: the user-creatable catalogue plus the chipset functions.</summary>
    public static TheoryData<string> Devices()
    {
        var data = new TheoryData<string>();
        foreach (var e in DeviceCatalog.Entries) data.Add(e.Name);
        foreach (var fixedName in FixedDevices.Keys) data.Add(fixedName);
        return data;
    }

    private static readonly Dictionary<string, Func<PciFunction>> FixedDevices = new()
    {
        ["i440FX"] = () => new I440fxHost(new I440fxOptions()),
        ["PIIX3"] = () => new Piix3Isa(),
        ["piix3-ide"] = () => new PiixIde(),
        ["PIIX4_PM"] = () => new Piix4Pm(new Piix4PmOptions()),
        ["mch"] = () => new Q35Mch(new Q35MchOptions()),
        ["ICH9-LPC"] = () => new Ich9Lpc(new Ich9LpcOptions()),
        ["ich9-ahci"] = () => new Ich9Ahci(),
        ["ICH9-SMB"] = () => new Ich9Smbus(),
    };

    private static readonly Dictionary<string, string> RequiredProps = new()
    {
        ["pci-bridge"] = "chassis_nr=1",
        ["pcie-root-port"] = "chassis=1,slot=1",
        ["ioh3420"] = "chassis=1,slot=2",
        ["xio3130-downstream"] = "chassis=1,slot=3",
        ["pci-testdev"] = "membar=1M",
    };

    private static PciFunction Create(string name)
    {
        if (FixedDevices.TryGetValue(name, out var make)) return make();
        var spec = RequiredProps.TryGetValue(name, out var p) ? $"{name},{p}" : name;
        return DeviceCatalog.Create(DeviceProperties.Parse(spec), new PlugContext(BusIsExpress: true, BusIsRoot: true));
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void RandomCycles_KeepRegisterSemantics(string device)
    {
        var cpu = new CpuBus();
        var root = PciBus.CreateRoot("pcie.0", isExpress: true);
        var decoder = new PciConfigDecoder(new PciHierarchy(root), cpu);
        new Cf8CfcHost(decoder).Map(cpu);
        new EcamHost(decoder).Update(true, EcamBase, 0x10000000);
        var f = Create(device);
        var devFn = 3 << 3;
        root.Plug(devFn, f);
        var bdf = Bdf.FromDevFn(0, devFn);
        IConfigAccessor[] accessors = [new Cf8CfcAccessor(cpu), new EcamAccessor(cpu, EcamBase)];
        var rng = new Random(HashCode.Combine(0x5eed, device.Length, device[0], device[^1]));
        var violations = new List<string>();
        var size = f.ConfigSize;

        for (var i = 0; i < CyclesPerDevice && violations.Count < 5; i++)
        {
            var a = accessors[rng.Next(accessors.Length)];
            var width = 1 << rng.Next(3);
            var offset = rng.Next(a.AddressableSize) & ~(width - 1);
            var value = (uint)rng.NextInt64(0, 1L << 32);
            if (rng.Next(3) == 0)
            {
                var v = a.Read(bdf, offset, width);
                var absent = a.Read(Bdf.FromDevFn(0, (7 << 3) | rng.Next(8)), offset, width);
                var ones = width == 4 ? uint.MaxValue : (1u << (8 * width)) - 1;
                if (absent != ones) violations.Add($"absent function read 0x{absent:x} at 0x{offset:x3}");
                if (offset >= size && v != ones) violations.Add($"read past config size at 0x{offset:x3} returned 0x{v:x}");
                continue;
            }
            var before = f.Config.ReadOnlyData.ToArray();
            var wm = f.Config.WriteMask.ToArray();
            var w1c = f.Config.W1cMask.ToArray();
            a.Write(bdf, offset, width, value);
            var after = f.Config.ReadOnlyData;
            for (var k = 0; k < width && offset + k < size; k++)
            {
                var o = offset + k;
                var written = (byte)(value >> (8 * k));
                var ro = (byte)~(wm[o] | w1c[o]);
                if (((before[o] ^ after[o]) & ro) != 0 && !Volatile(f, o))
                    violations.Add($"RO bits of byte 0x{o:x3} changed 0x{before[o]:x2} -> 0x{after[o]:x2} (write 0x{value:x} w{width} @0x{offset:x3})");
                var clearedWithoutOne = (byte)(before[o] & ~after[o] & w1c[o] & ~written);
                if (clearedWithoutOne != 0 && !Volatile(f, o))
                    violations.Add($"W1C bits 0x{clearedWithoutOne:x2} of byte 0x{o:x3} cleared without a 1 written");
            }
        }

        f.Config.CheckMasks();
        foreach (var bar in f.Bars)
        {
            var off = Type0Header.Bar(bar.Index).Offset;
            f.WriteConfig(off, 4, uint.MaxValue);
            var expect = (uint)~(bar.Size - 1) | bar.TypeBits;
            if (bar.IsIo) expect = (uint)~(bar.Size - 1) | bar.TypeBits;
            var got = f.ReadConfig(off, 4);
            if (got != expect) violations.Add($"BAR{bar.Index} sizing read 0x{got:x8}, expected 0x{expect:x8}");
        }
        foreach (var v in violations) output.WriteLine(v);
        Assert.Empty(violations);
    }

    /// <summary>
    /// Registers whose read-only bits a device hook legitimately changes on a write, per QEMU: PCIe slot status
    /// (Command Completed / presence events raised by a Slot Control write, pcie_cap_slot_write_config), the
    /// computed Link Status, and the SHPC data window (shpc_cap_write_config forwards to the SHPC registers).
    /// </summary>
    private static bool Volatile(PciFunction f, int offset)
    {
        foreach (var cap in f.GetCapabilities())
        {
            if (cap.Extended) continue;
            if (cap.Id == CapabilityId.Express && (offset == cap.Offset + 0x1a || offset == cap.Offset + 0x1b
                || offset == cap.Offset + 0x12 || offset == cap.Offset + 0x13)) return true;
            if (cap.Id == CapabilityId.Shpc && offset >= cap.Offset + 4 && offset < cap.Offset + 8) return true;
        }
        return false;
    }
}
