using PciEmu.Core;
using PciEmu.Os.Resources;
using PciEmu.Os.Tests.Support;

namespace PciEmu.Os.Tests;

/// <summary>
/// The arm64 "reassign everything" path (no _DSM #5 on QEMU's gpex): the e* cases, replayed from the EDK2 layout
/// Linux 6.12 itself reports at enumeration (BAR 0 at 0x10200000, a 2 MiB mem window, EDK2 2022 also an I/O window at
/// 0, EDK2 2026 the pref64-reserve window). No arm64 machine exists in PciEmu.Platform yet, so the state is hand-built.
/// </summary>
public sealed class Arm64ConformanceTests
{
    private const ulong MiB = 1024 * 1024;
    private static readonly Bdf Port = new(0, 1, 0);
    private static readonly Bdf Child = new(1, 0, 0);

    private static readonly IReadOnlyList<RootWindow> GpexWindows =
    [
        new(ResFlags.Mem, 0x10000000, 0x3efeffff), new(ResFlags.Io, 0, 0xffff), new(ResFlags.Mem, 0x8000000000, 0xffffffffff),
    ];

    public static TheoryData<string, bool, bool, ulong> Cases() => new()
    {
        // name, QEMU 11 / EDK2 2026 (e3), ACPI hot-plug, pref64-reserve left by EDK2
        { "e-arm64-virt-rootport-hotplug-4M", false, false, 0 },
        { "e-arm64-virt-rootport-hotplug-4M-k612", false, false, 0 },
        { "e2-arm64-virt-rootport-hotplug-512M", false, false, 0 },
        { "e2-arm64-virt-rootport-hotplug-512M-k612", false, false, 0 },
        { "e3-arm64-acpihp-1M", true, true, 0 },
        { "e3-arm64-acpihp-4M", true, true, 0 },
        { "e3-arm64-acpihp-4M-k61", true, true, 0 },
        { "e3-arm64-native-4M", true, false, 0 },
        { "e3-arm64-acpihp-pref64-8M-4M", true, true, 8 * MiB },
        { "e3-arm64-native-pref64-8M-4M", true, false, 8 * MiB },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BootAndHotplug_MatchRecordedPciLines(string name, bool e3, bool acpiHotplug, ulong pref64)
    {
        var dir = Path.Combine(SharedPaths.Conformance!, name);
        if (!Directory.Exists(dir)) return;
        var k612 = name.EndsWith("-k612", StringComparison.Ordinal) || (e3 && !name.EndsWith("-k61", StringComparison.Ordinal));
        var m = new SyntheticMachine().HostBridge(0x1b36, 0x0008).RootPort(Port, 1, new SyntheticMachine.PortState
        {
            Bar0 = 0x10200000,
            Mem = (0x10000000, 0x101fffff),
            IoOpenAtZero = !e3,
            Pref = pref64 == 0 ? null : (0x8000000000, 0x8000000000 + pref64 - 1),
            ExtTag = e3,
            Aer = true,
            SlotCapsQemu = true,
            Command = (ushort)(CommandBits.Io | CommandBits.Memory | CommandBits.BusMaster),
        });
        var facts = new PlatformFacts
        {
            Arch = PciArch.Arm64,
            RootWindows = GpexWindows,
            HasOsc = true,
            OscGrantsPcieHotplug = !acpiHotplug,
            OscGrantsShpcHotplug = true,
            AcpiSlots = acpiHotplug ? new Dictionary<int, IReadOnlyList<int>> { [0] = [0], [1] = [0] } : new Dictionary<int, IReadOnlyList<int>>(),
            FirstPortIrq = k612 ? 50 : 51,
        };
        var e = new LinuxEnumerator(m.Accessor, facts, new KernelOptions { Version = k612 ? KernelVersion.Linux6_12 : KernelVersion.Linux6_1 });
        e.Boot();
        var boot = ConformanceCase.FilterDmesg(File.ReadAllLines(Path.Combine(dir, "boot.dmesg.txt")));
        ConformanceTests.AssertLines(boot, e.Log.Lines);

        m.TestDev(Child, MembarOf(name));
        var v = e.DeviceAdded(e.DriverFor(Port), Port, 0);
        var all = ConformanceCase.FilterDmesg(File.ReadAllLines(Path.Combine(dir, "hotplug0.dmesg.txt")));
        ConformanceTests.AssertLines(all.Skip(boot.Count).ToArray(), v.Log);
    }

    private static ulong MembarOf(string name)
    {
        var spec = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedPaths.Conformance!, name, "linux.json")))
            .RootElement.GetProperty("hotplug")[0].GetProperty("spec").GetString()!;
        var v = spec.Split(',').First(p => p.StartsWith("membar=", StringComparison.Ordinal))["membar=".Length..];
        return ulong.Parse(v[..^1], System.Globalization.CultureInfo.InvariantCulture) * MiB;
    }
}
