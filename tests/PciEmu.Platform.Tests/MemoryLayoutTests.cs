using PciEmu.Fabric.FirmwareTables;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PciEmu.Platform;

namespace PciEmu.Platform.Tests;

public partial class MemoryLayoutTests
{
    private const ulong MiB = QemuValues.MiB;
    private const ulong GiB = QemuValues.GiB;

    private static MemoryLayout Layout(MachineType t, ulong ram, ulong? max = null, ulong slots = 0) =>
        MemoryLayout.Compute(new MachineOptions { Type = t, RamSize = ram, MaxRamSize = max, MemorySlots = slots });

    public static TheoryData<string, ulong, ulong, ulong> Splits() => new()
    {
        { "pc", 128 * MiB, 128 * MiB, 0 },
        { "pc", 1 * GiB, 1 * GiB, 0 },
        { "pc", 3 * GiB + 512 * MiB - 8192, 3 * GiB + 512 * MiB - 8192, 0 },
        { "pc", 3 * GiB + 512 * MiB, 3 * GiB, 512 * MiB },
        { "pc", 4 * GiB, 3 * GiB, 1 * GiB },
        { "pc", 8 * GiB, 3 * GiB, 5 * GiB },
        { "q35", 1 * GiB, 1 * GiB, 0 },
        { "q35", 2 * GiB + 512 * MiB, 2 * GiB + 512 * MiB, 0 },
        { "q35", 2 * GiB + 768 * MiB, 2 * GiB, 768 * MiB },
        { "q35", 4 * GiB, 2 * GiB, 2 * GiB },
        { "q35", 16 * GiB, 2 * GiB, 14 * GiB },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Compute_SplitsRamAroundTheHole_AsQemu72(string machine, ulong ram, ulong below, ulong above)
    {
        var l = Layout(MachineType.Find(machine)!, ram);
        Assert.Equal(below, l.BelowFourG);
        Assert.Equal(above, l.AboveFourG);
        Assert.Equal(below, l.PciHole32Start);
        Assert.Equal(MemoryLayout.IoApicBase, l.PciHole32End);
        Assert.Equal(MemoryLayout.RoundUp(MemoryLayout.FourGiB + above, GiB), l.PciHole64DefaultStart);
        Assert.Null(l.ReservedMemoryEnd);
        var expected = above == 0
            ? new[] { new E820Entry(0, below, E820Type.Ram) }
            : [new E820Entry(0, below, E820Type.Ram), new E820Entry(MemoryLayout.FourGiB, above, E820Type.Ram)];
        Assert.Equal(expected, l.E820);
    }

    [Fact]
    public void Compute_Hole64Size_IsPerMachine()
    {
        Assert.Equal(2 * GiB, Layout(MachineType.Pc, GiB).PciHole64Size);
        Assert.Equal(32 * GiB, Layout(MachineType.Q35, GiB).PciHole64Size);
        Assert.Equal(4 * GiB + 32 * GiB, Layout(MachineType.Q35, GiB).PciHole64DefaultEnd);
    }

    [Fact]
    public void Compute_WithMaxmem_PublishesReservedMemoryEnd()
    {
        // pc_memory_init: device memory at ROUND_UP(4G + above, 1G), size maxmem - ram + 1 GiB per slot.
        var l = Layout(MachineType.Q35, 4 * GiB, 8 * GiB, 2);
        Assert.Equal(6 * GiB, l.DeviceMemoryBase);
        Assert.Equal(4 * GiB + 2 * GiB, l.DeviceMemorySize);
        Assert.Equal(12 * GiB, l.ReservedMemoryEnd);
        Assert.Equal(12 * GiB, l.PciHole64DefaultStart);
    }

    [Fact]
    public void FwCfg_PublishesE820AndRamSize()
    {
        var l = Layout(MachineType.Pc, 4 * GiB);
        var fw = MachineFwCfg.Build(l);
        Assert.True(fw.TryGetFile("etc/e820", out var e820));
        Assert.Equal(l.E820, E820Entry.Decode(e820.Span));
        Assert.False(fw.TryGetFile("etc/reserved-memory-end", out _));
        Assert.True(fw.TryGetItem(FwCfgKeys.RamSize, out var ram));
        Assert.Equal(4 * GiB, BitConverter.ToUInt64(ram.Span));
        Assert.True(fw.TryGetItem(FwCfgKeys.Signature, out var sig));
        Assert.Equal("QEMU"u8.ToArray(), sig.ToArray());
    }

    [Fact]
    public void FwCfg_WithMaxmem_PublishesReservedMemoryEndAfterE820()
    {
        var fw = MachineFwCfg.Build(Layout(MachineType.Pc, 1 * GiB, 2 * GiB, 1));
        Assert.Equal(["etc/boot-fail-wait", "etc/e820", "etc/reserved-memory-end", "etc/table-loader"], fw.FileNames);
        Assert.True(fw.TryGetFile("etc/reserved-memory-end", out var end));
        Assert.Equal(6 * GiB, BitConverter.ToUInt64(end.Span));
    }

    [GeneratedRegex(@"^qemu/e820: addr 0x([0-9a-f]{16}) len 0x([0-9a-f]{16}) \[RAM\]$", RegexOptions.Multiline)]
    private static partial Regex E820Line();

    public static TheoryData<string> RecordedCases()
    {
        var data = new TheoryData<string>();
        // x86 cases only: the arm virt recordings have no SeaBIOS and no e820.
        foreach (var c in Conformance.Cases("seabios.log")) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(RecordedCases))]
    public void E820_MatchesWhatSeaBiosReadFromQemu(string name)
    {
        var dir = Path.Combine(Conformance.Root!, name);
        var json = File.Exists(Path.Combine(dir, "firmware.json")) ? "firmware.json" : "linux.json";
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, json)));
        var machine = MachineType.Find(doc.RootElement.GetProperty("machine").GetString()!);
        Assert.NotNull(machine);
        var mem = doc.RootElement.GetProperty("memory").GetString()!;
        var ram = ulong.Parse(mem[..^1], CultureInfo.InvariantCulture) * (mem[^1] == 'G' ? GiB : MiB);
        var recorded = E820Line().Matches(File.ReadAllText(Path.Combine(dir, "seabios.log")))
            .Select(m => new E820Entry(ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), E820Type.Ram)).ToList();
        Assert.NotEmpty(recorded);
        Assert.Equal(recorded, Layout(machine, ram).E820);
    }
}
