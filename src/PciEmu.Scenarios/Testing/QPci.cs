using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Setpci;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Testing;

/// <summary>A BAR mapped by <see cref="QPciDevice.MapBar"/>: where it decodes and what it is.</summary>
public readonly record struct QPciBar(int Index, ulong Address, ulong Size, bool IsIo, bool Is64, bool Prefetchable);

/// <summary>
/// A qtest/libqos-like handle on a PciEmu machine for register-level tests in a user's own xunit project: start a
/// topology from QEMU arguments, find devices and capabilities, size and map BARs, enable devices, poke and peek
/// with setpci syntax. Everything goes through config cycles on the machine's bus (as libqos does through qtest).
/// </summary>
public sealed class QPciMachine
{
    // libqos pc allocator defaults (tests/qtest/libqos/pci-pc.c): PIO from 0xc000, MMIO from the 32-bit hole.
    private const ulong PioStart = 0xc000;
    private const ulong PioEnd = 0x10000;
    private const ulong Mmio64Start = 0x1_0000_0000;

    private ulong _pio = PioStart;
    private ulong _mmio;
    private ulong _mmio64 = Mmio64Start;

    private QPciMachine(ScenarioRunner runner)
    {
        Runner = runner;
        _mmio = runner.Machine.PciHole32.Start;
    }

    public ScenarioRunner Runner { get; }
    public Machine Machine => Runner.Machine;

    /// <summary>The accessor in use: ECAM when firmware (or <see cref="EnableEcam"/>) mapped it, else CF8/CFC.</summary>
    public IConfigAccessor Bus { get; private set; } = null!;

    /// <summary>Starts a machine from QEMU-style arguments, e.g. "-M q35 -device pcie-root-port,id=rp1,chassis=1".</summary>
    public static QPciMachine Start(string arguments, FirmwareKind? firmware = null)
    {
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings)
            .ParseArguments(arguments.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        var runner = ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = firmware ?? FirmwareKind.None });
        var q = new QPciMachine(runner);
        q.Bus = runner.KernelAccessor;
        return q;
    }

    /// <summary>A handle on a scenario that already ran, talking through <paramref name="bus"/> (default: the kernel's accessor).</summary>
    public static QPciMachine Attach(ScenarioRunner runner, IConfigAccessor? bus = null) =>
        new(runner) { Bus = bus ?? runner.KernelAccessor };

    /// <summary>On q35 without firmware: enable PCIEXBAR at its reset address and switch to ECAM.</summary>
    public QPciMachine EnableEcam()
    {
        const int pciexbar = 0x60;
        const uint enable = 1;
        if (Machine.Type.Kind != MachineKind.Q35) throw new InvalidOperationException("ECAM needs q35's MCH");
        Machine.Cf8.Write32(new Bdf(0, 0, 0), pciexbar, (uint)Machine.DefaultEcamBase | enable);
        Bus = Machine.EcamAt(Machine.DefaultEcamBase);
        return this;
    }

    /// <summary>All present functions, bus by bus, as a depth-first config scan finds them (buses as numbered).</summary>
    public IReadOnlyList<QPciDevice> Devices()
    {
        var list = new List<QPciDevice>();
        Scan(0, list, new HashSet<int>());
        return list;
    }

    private void Scan(int bus, List<QPciDevice> list, HashSet<int> seen)
    {
        if (!seen.Add(bus)) return;
        for (var dev = 0; dev < Bdf.DeviceCount; dev++)
        {
            for (var fn = 0; fn < Bdf.FunctionCount; fn++)
            {
                var bdf = new Bdf(bus, dev, fn);
                if (Bus.Read16(bdf, CommonHeader.VendorId.Offset) == ushort.MaxValue)
                {
                    if (fn == 0) break;
                    continue;
                }
                var d = new QPciDevice(this, bdf);
                list.Add(d);
                var header = Bus.Read8(bdf, CommonHeader.HeaderType.Offset);
                if ((header & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge)
                {
                    var sec = Bus.Read8(bdf, Type1Header.SecondaryBus.Offset);
                    if (sec > bus) Scan(sec, list, seen);
                }
                if (fn == 0 && (header & CommonHeader.HeaderTypeMultifunction) == 0) break;
            }
        }
    }

    /// <summary>qpci_device_find by IDs: the <paramref name="index"/>-th match in scan order.</summary>
    public QPciDevice Find(ushort vendor, ushort device, int index = 0) =>
        Devices().Where(d => d.VendorId == vendor && d.DeviceId == device).Skip(index).FirstOrDefault()
        ?? throw new InvalidOperationException($"no device {vendor:x4}:{device:x4} (#{index})");

    /// <summary>qpci_device_find by address.</summary>
    public QPciDevice? At(Bdf bdf) => Bus.Read16(bdf, CommonHeader.VendorId.Offset) == ushort.MaxValue ? null : new QPciDevice(this, bdf);

    internal ulong Allocate(ulong size, bool io, bool is64)
    {
        ref var ptr = ref io ? ref _pio : ref is64 ? ref _mmio64 : ref _mmio;
        var addr = (ptr + size - 1) & ~(size - 1);
        var limit = io ? PioEnd : is64 ? ulong.MaxValue : Machine.PciHole32.End;
        if (addr + size > limit) throw new InvalidOperationException($"no room for a {(io ? "I/O" : "memory")} BAR of 0x{size:x}");
        ptr = addr + size;
        return addr;
    }
}

/// <summary>One function found on a <see cref="QPciMachine"/>.</summary>
public sealed class QPciDevice
{
    private readonly QPciMachine _m;

    internal QPciDevice(QPciMachine m, Bdf bdf)
    {
        _m = m;
        Bdf = bdf;
    }

    public Bdf Bdf { get; }
    public ushort VendorId => ReadWord(CommonHeader.VendorId.Offset);
    public ushort DeviceId => ReadWord(CommonHeader.DeviceId.Offset);
    public bool IsBridge => (ReadByte(CommonHeader.HeaderType.Offset) & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge;

    public byte ReadByte(int offset) => _m.Bus.Read8(Bdf, offset);
    public ushort ReadWord(int offset) => _m.Bus.Read16(Bdf, offset);
    public uint ReadLong(int offset) => _m.Bus.Read32(Bdf, offset);
    public void WriteByte(int offset, byte v) => _m.Bus.Write8(Bdf, offset, v);
    public void WriteWord(int offset, ushort v) => _m.Bus.Write16(Bdf, offset, v);
    public void WriteLong(int offset, uint v) => _m.Bus.Write32(Bdf, offset, v);

    /// <summary>qpci_find_capability: the offset of the <paramref name="nth"/> capability with this ID, or 0.</summary>
    public int FindCapability(byte id, int nth = 0)
    {
        if ((ReadWord(CommonHeader.Status.Offset) & (ushort)StatusBits.CapList) == 0) return 0;
        int ptr = ReadByte(CommonHeader.CapabilityList.Offset) & 0xfc;
        for (var guard = 0; ptr >= CommonHeader.Size && guard < 48; guard++)
        {
            if (ReadByte(ptr) == id && nth-- == 0) return ptr;
            ptr = ReadByte(ptr + 1) & 0xfc;
        }
        return 0;
    }

    /// <summary>The offset of an extended capability (ECAM only), or 0.</summary>
    public int FindExtendedCapability(ushort id)
    {
        if (_m.Bus.AddressableSize <= ExtCapabilityId.ExtendedStart) return 0;
        var off = ExtCapabilityId.ExtendedStart;
        for (var guard = 0; off >= ExtCapabilityId.ExtendedStart && guard < 960; guard++)
        {
            var h = ReadLong(off);
            if (h == 0 || h == uint.MaxValue) return 0;
            if ((h & ExtCapabilityId.HeaderIdMask) == id) return off;
            off = (int)(h >> ExtCapabilityId.HeaderNextShift) & 0xffc;
        }
        return 0;
    }

    /// <summary>qpci_device_enable: I/O, memory and bus mastering on.</summary>
    public void Enable() => WriteWord(CommonHeader.Command.Offset,
        (ushort)(ReadWord(CommonHeader.Command.Offset) | (ushort)(CommandBits.Io | CommandBits.Memory | CommandBits.BusMaster)));

    /// <summary>
    /// qpci_iomap: sizes BAR <paramref name="index"/> with decode disabled (all-ones write, 64-bit pairs included),
    /// assigns an address (or <paramref name="address"/>), programs it and restores the command register.
    /// </summary>
    public QPciBar MapBar(int index, ulong? address = null)
    {
        var reg = Type0Header.Bar(index).Offset;
        var cmd = ReadWord(CommonHeader.Command.Offset);
        WriteWord(CommonHeader.Command.Offset, (ushort)(cmd & ~(ushort)(CommandBits.Io | CommandBits.Memory)));
        var orig = ReadLong(reg);
        var io = (orig & BarBits.SpaceIo) != 0;
        var is64 = !io && (orig & BarBits.MemType64) != 0;
        WriteLong(reg, uint.MaxValue);
        var lo = ReadLong(reg) & (io ? BarBits.IoAddressMask : BarBits.MemAddressMask);
        WriteLong(reg, orig);
        ulong size;
        if (is64)
        {
            var origHi = ReadLong(reg + 4);
            WriteLong(reg + 4, uint.MaxValue);
            var mask = ((ulong)ReadLong(reg + 4) << 32) | lo;
            WriteLong(reg + 4, origHi);
            size = ~mask + 1;
        }
        else
        {
            size = lo == 0 ? 0 : (ulong)(uint)(~lo + 1);
        }
        if (size == 0)
        {
            WriteWord(CommonHeader.Command.Offset, cmd);
            throw new InvalidOperationException($"{Bdf}: BAR {index} is not implemented");
        }
        var addr = address ?? _m.Allocate(size, io, is64);
        WriteLong(reg, (uint)addr | (orig & (io ? ~BarBits.IoAddressMask : ~BarBits.MemAddressMask)));
        if (is64) WriteLong(reg + 4, (uint)(addr >> 32));
        WriteWord(CommonHeader.Command.Offset, cmd);
        return new QPciBar(index, addr, size, io, is64, !io && (orig & BarBits.MemPrefetch) != 0);
    }

    /// <summary>setpci-style write, e.g. "COMMAND=0x7:0x7" or "CAP_EXP+0x18.w=0x1c0".</summary>
    public void Poke(string setpci)
    {
        var op = SetpciOperation.Parse(setpci);
        if (!op.IsWrite) throw new ArgumentException($"'{setpci}' has no value to write", nameof(setpci));
        op.Execute(_m.Bus, Bdf);
    }

    /// <summary>setpci-style read, e.g. "CAP_EXP+0x1a.w".</summary>
    public uint Peek(string setpci)
    {
        var op = SetpciOperation.Parse(setpci);
        if (op.IsWrite) throw new ArgumentException($"'{setpci}' writes; use Poke", nameof(setpci));
        return uint.Parse(op.Execute(_m.Bus, Bdf)[0], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string ToString() => $"{Bdf} [{VendorId:x4}:{DeviceId:x4}]";
}
