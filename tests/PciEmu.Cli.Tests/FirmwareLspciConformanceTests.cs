using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Running;
using PciEmu.Testing;
using Xunit.Abstractions;

namespace PciEmu.Cli.Tests;

/// <summary>
/// After the SeaBIOS port runs on a recorded firmware topology, the real `lspci -F DUMP -nn -vvv` of PciEmu's config
/// space equals the real `lspci -F` of the bytes real QEMU 7.2 showed after real SeaBIOS (firmware.json config_hex,
/// 256 bytes per function, so both dumps are cut to 256 bytes). Needs Debian's pciutils (.ci/run installs it).
/// </summary>
public partial class FirmwareLspciConformanceTests(ITestOutputHelper output)
{
    /// <summary>Every x86 firmware recording, the random set included.</summary>
    public static TheoryData<string> Cases() => Recordings.AsTheoryData(Recordings.Cases("firmware.json").Where(IsX86));

    private static bool IsX86(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), "firmware.json")));
        return doc.RootElement.GetProperty("qemu_argv")[0].GetString()!.EndsWith("x86_64", StringComparison.Ordinal);
    }

    /// <summary>
    /// Item 3 of issue 18: the lspci views list every function a config cycle reaches after firmware — also behind
    /// bridges whose bus numbers the firmware left odd — each once. The recording lists QEMU's query-pci walk, whose
    /// config_hex the recorder read through CF8/CFC: a function whose bytes read all-ones there is listed by QEMU's
    /// walk (it follows bridges from their own bus) but no config cycle from the CPU reaches it; a function QEMU lists
    /// twice (two buses with one number) is reached once.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void LspciLists_ExactlyTheFunctionsConfigCyclesReach(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), "firmware.json")));
        var j = doc.RootElement;
        var run = Run(j);
        var reachable = new List<string>();
        foreach (var dev in j.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdf = dev.GetProperty("bdf").GetString()!;
            var bytes = Convert.FromHexString(dev.GetProperty("config_hex").GetString()!);
            if (bytes.All(b => b == 0xff)) output.WriteLine($"{bdf}: listed by query-pci, not reached by a config cycle (reads all-ones)");
            else if (!reachable.Contains(bdf)) reachable.Add(bdf);
        }
        var listed = LspciScan.Scan(run.Machine.Snapshot()).Select(s => s.Bdf.ToString()).ToList();
        Assert.Equal(reachable, listed);
        var dump = LspciReport.RenderDump(run.Machine.Snapshot());
        Assert.Equal(listed, dump.Split('\n').Where(l => l.Length > 8 && l[2] == ':' && l[5] == '.' && l[7] == ' ').Select(l => l[..7]).ToList());
    }

    private static ScenarioRunner Run(JsonElement j, PciEmu.Core.Tracing.ITraceSink? trace = null)
    {
        var args = RecordedArguments.Topology(j.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray());
        var scenario = ScenarioOptions.CreateParser(new RunSettings()).ParseArguments(args);
        return ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = FirmwareKind.SeaBios, Trace = trace is null ? null : _ => trace });
    }

    /// <summary>
    /// Item 2 of issue 18: the whole POST. The port runs pci_setup, the POST steps after it and the modelled effect of
    /// the boot ROM (iPXE: bus mastering on the NICs it binds); the recorded bytes are compared as recorded, except
    /// where the recording's own pci-trace.log shows they are not the state they claim to be
    /// (<see cref="TraceContradictions"/>). Cases without a trace (the top-level ones) keep only the all-ones rule of
    /// <see cref="RecorderArtifacts"/>.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void LspciVvv_OfPortOutput_EqualsLspciVvv_OfRecordedBytes(string name)
    {
        var lspci = Oracles.RequireLspci();
        var dir = Recordings.Dir(name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "firmware.json")));
        var j = doc.RootElement;
        var sink = new ConfigCollector();
        var run = Run(j, sink);
        var tracePath = Path.Combine(dir, "pci-trace.log");
        List<TraceAccess>? afterPort = null;
        if (File.Exists(tracePath))
        {
            var bootRom = run.Machine.Cpu.Phases.Names.ToList().IndexOf(PciEmu.Firmware.SeaBios.SeaBiosFirmware.BootRomPhase);
            var portAccesses = sink.Phases.TakeWhile(p => bootRom < 0 || p != bootRom).Count();
            afterPort = File.ReadLines(tracePath).Select(TraceAccess.Parse).Skip(portAccesses).ToList();
        }

        var recorded = new StringBuilder();
        var skip = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var portBytes = LspciScan.Scan(run.Machine.Snapshot()).ToDictionary(f => f.Bdf.ToString(), f => f.Function.Config);
        foreach (var dev in j.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdf = dev.GetProperty("bdf").GetString()!;
            var bytes = Convert.FromHexString(dev.GetProperty("config_hex").GetString()!)[..ConfigSpace.ConventionalSize];
            if (bytes.All(b => b == 0xff))
            {
                // query-pci lists it, but no config cycle reaches it (see LspciLists_ExactlyTheFunctionsConfigCyclesReach).
                output.WriteLine($"{bdf}: not reached by config cycles (recorded all-ones); not compared");
                continue;
            }
            if (!seen.Add(bdf))
            {
                output.WriteLine($"{bdf}: listed twice by query-pci (two buses with one number); config cycles reach the first");
                continue;
            }
            if (portBytes.TryGetValue(bdf, out var port))
            {
                if (afterPort is not null) TraceContradictions(bdf, bytes, port, afterPort);
                else RecorderArtifacts(bdf, bytes, port);
                IpxeVirtioCfgWindow(bdf, bytes, port);
            }
            recorded.Append(bdf).Append(" dev\n");
            LspciReport.AppendHex(recorded, bytes);
            recorded.Append('\n');
        }
        var ours = Truncate(LspciReport.RenderDump(run.Machine.Snapshot()), skip);
        var a = Write(recorded.ToString());
        var b = Write(ours);
        try
        {
            var expected = RunLspci(lspci, a);
            var actual = RunLspci(lspci, b);
            Assert.False(string.IsNullOrWhiteSpace(expected));
            Assert.Equal(expected, actual);
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    /// <summary>
    /// The recorder reads each function's dwords with HMP `o /w 0xcf8` then `i /w 0xcfc` after SeaBIOS reached its
    /// boot menu; by then iPXE, the first boot entry, is probing the bus with its own CF8/CFC pairs, so the two
    /// interleave (../shared/recorder/lib/oracle_common.py read_config_space; docs/seabios-port.md). QEMU's pci_cfg
    /// trace point fires once per access that reaches a function, with the address CF8 held at that moment. A recorded
    /// dword is taken as recorded when the trace, after the port's own accesses, holds a read of that very register
    /// returning it; otherwise the recorder's `i` read whatever address iPXE had just put in CF8 (or nothing: the HMP
    /// answer did not parse and the recorder wrote 0xffffffff), and the dword is not compared. A dword written after the
    /// recorder's read of it (iPXE's adjust_pci_device reaching the function later) is not compared either: the
    /// recording holds its state before that write. Each case is named in the test output.
    /// </summary>
    private void TraceContradictions(string bdf, byte[] recorded, byte[] port, List<TraceAccess> afterPort)
    {
        const int dword = 4;
        for (var off = 0; off < recorded.Length; off += dword)
        {
            var value = BitConverter.ToUInt32(recorded, off);
            if (value == BitConverter.ToUInt32(port, off)) continue;
            var genuine = afterPort.FindLastIndex(t => !t.Write && t.Bdf == bdf && t.Offset == off && t.Value == value);
            string? why = null;
            if (genuine < 0)
                why = "the trace holds no read of this register returning it (the recorder's CF8/CFC pair interleaved with iPXE's)";
            else if (afterPort.Skip(genuine + 1).FirstOrDefault(t => t.Write && t.Bdf == bdf && t.Offset >= off && t.Offset < off + dword) is { } later)
                why = $"written after the recorder read it ({later.Bdf} @0x{later.Offset:x} <- 0x{later.Value:x})";
            if (why is null) continue;
            output.WriteLine($"{bdf} @0x{off:x2}: recorded 0x{value:x8}, {why}; not compared");
            port.AsSpan(off, dword).CopyTo(recorded.AsSpan(off, dword));
        }
    }

    /// <summary>
    /// For recordings without a trace: the recorder writes 0xffffffff when it cannot parse the HMP answer
    /// (../shared/recorder/lib/oracle_common.py read_config_space); such dwords appear inside functions that otherwise
    /// answer (e.g. the q35 MCH's class dword). An all-ones dword of a present function is taken as that artifact and
    /// compared with the port's own value, and the test says so.
    /// </summary>
    private void RecorderArtifacts(string bdf, byte[] recorded, byte[] port)
    {
        const int dword = 4;
        for (var off = 0; off < recorded.Length; off += dword)
        {
            if (recorded.AsSpan(off, dword).ContainsAnyExcept((byte)0xff) || !port.AsSpan(off, dword).ContainsAnyExcept((byte)0xff)) continue;
            output.WriteLine($"{bdf} @0x{off:x2}: recorded 0xffffffff (recorder read artifact); not compared");
            port.AsSpan(off, dword).CopyTo(recorded.AsSpan(off, dword));
        }
    }

    /// <summary>One line of pci-trace.log: "pci_cfg_read NAME BB:DD.F @0xOFF -> 0xVAL" (or write, "&lt;-").</summary>
    internal readonly partial record struct TraceAccess(bool Write, string Bdf, int Offset, uint Value)
    {
        [System.Text.RegularExpressions.GeneratedRegex(@"^pci_cfg_(read|write) \S+ ([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) @0x([0-9a-f]+) (?:->|<-) 0x([0-9a-f]+)$")]
        private static partial System.Text.RegularExpressions.Regex Line();

        public static TraceAccess Parse(string line)
        {
            var m = Line().Match(line);
            Assert.True(m.Success, $"unparsable trace line: {line}");
            return new TraceAccess(m.Groups[1].Value == "write", m.Groups[2].Value,
                int.Parse(m.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                uint.Parse(m.Groups[4].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The phase of every config access that reached a function, in order.</summary>
    private sealed class ConfigCollector : PciEmu.Core.Tracing.ITraceSink
    {
        public List<int> Phases { get; } = [];

        public void Emit(in PciEmu.Core.Tracing.TraceEvent e)
        {
            if (e.Kind is PciEmu.Core.Tracing.TraceEventKind.ConfigRead or PciEmu.Core.Tracing.TraceEventKind.ConfigWrite) Phases.Add(e.Phase);
        }
    }

    /// <summary>
    /// The iPXE option ROM of a virtio-net NIC (code PciEmu cannot run) drives the device through the
    /// VIRTIO_PCI_CAP_PCI_CFG window and leaves its last access in the capability's bar/offset/length/data fields;
    /// those 16 bytes are not compared (docs/seabios-port.md).
    /// </summary>
    private void IpxeVirtioCfgWindow(string bdf, byte[] recorded, byte[] port)
    {
        const byte vendorCap = 0x09, pciCfgType = 5;
        const int cfgType = 3, windowStart = 4, windowEnd = 20;
        var seen = 0;
        for (int cap = recorded[CommonHeader.CapabilityList.Offset]; cap != 0 && seen++ < ConfigSpace.ConventionalSize / 4; cap = recorded[cap + 1])
        {
            if (recorded[cap] != vendorCap || recorded[cap + cfgType] != pciCfgType) continue;
            if (recorded.AsSpan(cap + windowStart, windowEnd - windowStart).SequenceEqual(port.AsSpan(cap + windowStart, windowEnd - windowStart))) return;
            output.WriteLine($"{bdf}: virtio PCI cfg window at 0x{cap:x2} holds iPXE's last access; not compared");
            port.AsSpan(cap + windowStart, windowEnd - windowStart).CopyTo(recorded.AsSpan(cap + windowStart, windowEnd - windowStart));
        }
    }

    /// <summary>Keeps the device lines and the first 256 bytes (16 hex lines) of each function.</summary>
    private static string Truncate(string dump, HashSet<string> skip)
    {
        var sb = new StringBuilder();
        var skipping = false;
        foreach (var line in dump.Split('\n'))
        {
            if (line.Length > 7 && line[2] == ':' && line[5] == '.') skipping = skip.Contains(line[..7]);
            if (skipping) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var isHex = colon is 2 or 3 && int.TryParse(line[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var off);
            if (isHex && int.Parse(line[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) >= ConfigSpace.ConventionalSize) continue;
            sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    private static string Write(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pciemu-lspci-{Guid.NewGuid():n}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    private static string RunLspci(string lspci, string dump)
    {
        var psi = new ProcessStartInfo(lspci) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-F", dump, "-nn", "-vvv" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
