using System.Globalization;
using PciEmu.Core;
using PciEmu.Devices.Catalog;
using PciEmu.Fabric;

namespace PciEmu.Firmware.Hvmloader.Tests;

/// <summary>
/// Golden vectors (Vectors/*.txt): real hvmloader logs published on xen-devel (topology reconstructed from the log) and
/// hand-derived cases from the spec. Each runs pci_setup on a hand-built bus 0 and compares the log: every BAR line
/// exactly and in order, the other expected lines as an ordered subsequence (or the whole log when marked complete).
/// </summary>
public class VectorTests
{
    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Vectors"), "*.txt").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void PciSetup_ReproducesTheVector(string name)
    {
        var v = Vector.Load(Path.Combine(AppContext.BaseDirectory, "Vectors", name + ".txt"));
        var bus = XenBus0.Create(v.Devices);
        var result = HvmloaderFirmware.PciSetup(bus.Cf8, v.Input);

        Assert.Null(result.Failure);
        if (v.Complete)
        {
            Assert.Equal(v.Expected, result.Log);
        }
        else
        {
            Assert.Equal(v.Expected.Where(IsBarLine), result.Log.Where(IsBarLine));
            var pos = 0;
            foreach (var line in v.Expected)
            {
                while (pos < result.Log.Count && result.Log[pos] != line) pos++;
                Assert.True(pos < result.Log.Count, $"missing or out of order: {line}\nlog:\n{string.Join('\n', result.Log)}");
            }
        }
        if (v.Acpi is { } acpi) Assert.Equal(acpi, result.AcpiInfo);
    }

    private static bool IsBarLine(string l) => l.StartsWith("pci dev ", StringComparison.Ordinal) && l.Contains(" bar ", StringComparison.Ordinal);

    private sealed record Vector(HvmloaderInput Input, IReadOnlyList<(int DevFn, string Driver)> Devices, IReadOnlyList<string> Expected, bool Complete, HvmloaderAcpiInfo? Acpi)
    {
        public static Vector Load(string path)
        {
            var input = new HvmloaderInput();
            var devices = new List<(int, string)>();
            var expected = new List<string>();
            var complete = false;
            HvmloaderAcpiInfo? acpi = null;
            foreach (var raw in File.ReadAllLines(path))
            {
                if (raw.Length == 0 || raw[0] == '#') continue;
                var sp = raw.IndexOf(' ', StringComparison.Ordinal);
                var key = sp < 0 ? raw : raw[..sp];
                var arg = sp < 0 ? string.Empty : raw[(sp + 1)..];
                switch (key)
                {
                    case "version": input = input with { Version = arg == "4.5" ? HvmloaderVersion.V4_5 : HvmloaderVersion.V4_20 }; break;
                    case "low_mem": input = input with { LowMemPgEnd = (uint)(Num(arg) >> 12) }; break;
                    case "high_mem": input = input with { HighMemPgEnd = (uint)(Num(arg) >> 12) }; break;
                    case "mmio_hole": input = input with { MmioHoleSize = Num(arg) }; break;
                    case "allow_memory_relocate": input = input with { AllowMemoryRelocate = arg != "0" }; break;
                    case "device":
                        var w = arg.Split(' ');
                        var slotFn = w[0].Split('.');
                        devices.Add(((int.Parse(slotFn[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 3) | int.Parse(slotFn[1], CultureInfo.InvariantCulture), w[1]));
                        break;
                    case "expect": expected.Add(arg); break;
                    case "complete": complete = true; break;
                    case "acpi":
                        var a = arg.Split(' ').Select(Num).ToArray();
                        acpi = new HvmloaderAcpiInfo((uint)a[0], (uint)a[1], a[2], a[3]);
                        break;
                    default: throw new InvalidDataException($"{path}: unknown key {key}");
                }
            }
            return new Vector(input, devices, expected, complete, acpi);
        }

        private static ulong Num(string s) => s.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : ulong.Parse(s, CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// A xenfv bus 0 built by hand: i440FX 00.0, PIIX3 01.0, IDE 01.1, PIIX4 PM 01.3 (as QEMU's pc_init1 places them), plus
/// the listed devices from the catalog or the stand-ins below, reached through CF8/CFC on a CPU bus.
/// </summary>
internal sealed class XenBus0
{
    public required IConfigAccessor Cf8 { get; init; }
    public required PciBus Root { get; init; }
    public required CpuBus Cpu { get; init; }

    public static XenBus0 Create(IEnumerable<(int DevFn, string Driver)> devices)
    {
        var cpu = new CpuBus();
        var root = PciBus.CreateRoot("pci.0", false);
        var decoder = new PciConfigDecoder(new PciHierarchy(root), cpu);
        new Cf8CfcHost(decoder).Map(cpu);
        root.Plug(0x00, DeviceCatalog.Create(new DeviceProperties("i440FX")));
        root.Plug(0x08, DeviceCatalog.Create(DeviceProperties.Parse("PIIX3,multifunction=on")));
        root.Plug(0x09, DeviceCatalog.Create(new DeviceProperties("piix3-ide")));
        root.Plug(0x0b, DeviceCatalog.Create(new DeviceProperties("PIIX4_PM")));
        foreach (var (devfn, driver) in devices)
        {
            PciFunction f = driver switch
            {
                "nvme-standin" => new StandIn(0x0108, [new(0, BarKind.Memory64, 0x4000), new(4, BarKind.Memory64, 0x100)], 0),
                "gpu-standin" => new StandIn(0x0300,
                    [new(0, BarKind.Memory32, 16UL << 20), new(1, BarKind.Memory64, 256UL << 20, Prefetchable: true),
                     new(3, BarKind.Memory64, 32UL << 20, Prefetchable: true), new(5, BarKind.Io, 128)], 512UL << 10),
                "huge64-standin" => new StandIn(0x0302, [new(0, BarKind.Memory32, 16UL << 20), new(2, BarKind.Memory64, 2UL << 30, Prefetchable: true)], 0),
                _ => DeviceCatalog.Create(new DeviceProperties(driver)),
            };
            root.Plug(devfn, f);
        }
        foreach (var (_, f) in root.Functions) f.Reset();
        return new XenBus0 { Cf8 = new Cf8CfcAccessor(cpu), Root = root, Cpu = cpu };
    }

    /// <summary>A passed-through device's emulated BARs (xen-pci-passthrough shows the host's sizes and types, registers at 0).</summary>
    private sealed class StandIn(ushort @class, BarDefinition[] bars, ulong rom) : PciFunction(new PciDeviceOptions())
    {
        public override string TypeName => "xen-pci-passthrough";
        public override DeviceIdentity Identity { get; } = new(0x15b7, 0x5017, (uint)@class << 8) { InterruptPin = 1 };

        protected override void Configure(ConfigSpaceBuilder b)
        {
            foreach (var bar in bars) b.Bar(bar);
            if (rom != 0) b.Rom(rom);
        }
    }
}
