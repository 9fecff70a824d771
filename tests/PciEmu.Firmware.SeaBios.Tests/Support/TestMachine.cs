using PciEmu.Fabric.FirmwareTables;
using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Platform;

namespace PciEmu.Firmware.SeaBios.Tests.Support;

/// <summary>
/// A minimal pc or q35 built from the test devices: the fixed chipset functions, a root bus, CF8/CFC, an ECAM host
/// the MCH maps, and fw_cfg with etc/e820 and etc/table-loader as QEMU 7.2 offers them.
/// </summary>
public sealed class TestMachine
{
    public const ulong MiB = 1UL << 20;
    public const ulong GiB = 1UL << 30;

    private TestMachine(bool q35, ulong ramSize)
    {
        IsQ35 = q35;
        Cpu = new CpuBus();
        Root = PciBus.CreateRoot(q35 ? "pcie.0" : "pci.0", q35);
        Hierarchy = new PciHierarchy(Root);
        Decoder = new PciConfigDecoder(Hierarchy, Cpu);
        new Cf8CfcHost(Decoder).Map(Cpu);
        Ecam = new EcamHost(Decoder);
        FwCfg = new FwCfg();
        FwCfg.AddFile("etc/e820", E820Entry.Encode(QemuE820(q35, ramSize)));
        FwCfg.AddFile("etc/table-loader", new byte[128]);
    }

    public bool IsQ35 { get; }
    public CpuBus Cpu { get; }
    public PciBus Root { get; }
    public PciHierarchy Hierarchy { get; }
    public PciConfigDecoder Decoder { get; }
    public EcamHost Ecam { get; }
    public FwCfg FwCfg { get; }

    /// <summary>pc_memory_init / pc_q35_init: low RAM up to the hole, the rest above 4 GiB.</summary>
    public static IReadOnlyList<E820Entry> QemuE820(bool q35, ulong ram)
    {
        ulong low = q35 ? (ram >= 0xb0000000 ? 0x80000000 : ram) : (ram >= 0xe0000000 ? 0xc0000000 : ram);
        var list = new List<E820Entry> { new(0, low, E820Type.Ram) };
        if (ram > low) list.Add(new E820Entry(1UL << 32, ram - low, E820Type.Ram));
        return list;
    }

    public static TestMachine Pc(ulong ram = 128 * MiB)
    {
        var m = new TestMachine(false, ram);
        m.Root.Plug(0x00, new TestFunction("i440FX", new DeviceIdentity(0x8086, 0x1237, 0x060000, 2), []));
        m.Root.Plug(0x08, new TestFunction("PIIX3", new DeviceIdentity(0x8086, 0x7000, 0x060100), [], options: new PciDeviceOptions { Multifunction = true }));
        m.Root.Plug(0x09, new TestFunction("piix3-ide", new DeviceIdentity(0x8086, 0x7010, 0x010180), [new BarDefinition(4, BarKind.Io, 0x10)]));
        m.Root.Plug(0x0b, new TestFunction("PIIX4_PM", new DeviceIdentity(0x8086, 0x7113, 0x068000, 3) { InterruptPin = 1 }, []));
        return m;
    }

    /// <summary>A machine with no chipset functions at all: neither i440fx nor the q35 MCH is found.</summary>
    public static TestMachine Bare(ulong ram = 128 * MiB) => new(false, ram);

    public static TestMachine Q35(ulong ram = 128 * MiB)
    {
        var m = new TestMachine(true, ram);
        m.Root.Plug(0x00, new TestMch(m.Ecam));
        var mf = new PciDeviceOptions { Multifunction = true };
        m.Root.Plug(0xf8, new TestFunction("ICH9-LPC", new DeviceIdentity(0x8086, 0x2918, 0x060100, 2), [], options: mf));
        m.Root.Plug(0xfa, new TestFunction("ich9-ahci", new DeviceIdentity(0x8086, 0x2922, 0x010601, 2) { InterruptPin = 1 },
            [new BarDefinition(4, BarKind.Io, 0x20), new BarDefinition(5, BarKind.Memory32, 0x1000)]));
        m.Root.Plug(0xfb, new TestFunction("ICH9-SMB", new DeviceIdentity(0x8086, 0x2930, 0x0c0500, 2) { InterruptPin = 1 },
            [new BarDefinition(4, BarKind.Io, 0x40)]));
        return m;
    }

    /// <summary>pci-testdev (1b36:0005): BAR0 4 KiB MEM, BAR1 256 B IO, BAR2 64-bit PREF with membar.</summary>
    public static TestFunction TestDev(ulong membar = 0, string? id = null)
    {
        var bars = new List<BarDefinition> { new(0, BarKind.Memory32, 0x1000), new(1, BarKind.Io, 0x100) };
        if (membar != 0) bars.Add(new BarDefinition(2, BarKind.Memory64, membar, Prefetchable: true));
        return new TestFunction("pci-testdev", new DeviceIdentity(0x1b36, 0x0005, 0x00ff00), bars, options: new PciDeviceOptions { Id = id });
    }

    public static int DevFn(int dev, int fn = 0) => (dev << 3) | fn;

    public SeaBiosEnvironment Environment(IConfigAccessor? cf8 = null, IFwCfg? fwcfg = null) => new()
    {
        Cf8Cfc = cf8 ?? new Cf8CfcAccessor(Cpu),
        Ecam = a => new EcamAccessor(Cpu, a),
        FwCfg = fwcfg ?? FwCfg,
        Ports = new CpuBusPortIo(Cpu),
        Phases = new CpuBusPhaseSink(Cpu),
    };

    public SeaBiosResult Run(SeaBiosOptions? options = null) => SeaBiosFirmware.Run(Environment(), options);

    public PciFunction Function(string bdf)
    {
        var b = Bdf.Parse(bdf);
        return Hierarchy.Route(b.Bus, b.DevFn).Function ?? throw new InvalidOperationException($"no function at {bdf}");
    }
}
