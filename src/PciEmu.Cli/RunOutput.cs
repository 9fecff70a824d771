using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Fabric.Tracing;
using PciEmu.Platform;
using PciEmu.Scenarios.Profiling;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Running;

namespace PciEmu.Cli;

/// <summary>Renders the requested --emit kinds of a finished run, to stdout or files, in the order given.</summary>
public sealed class RunOutput(IReadOnlyList<EmitSpec> emits, bool json, TextWriter stdout) : IDisposable
{
    public void Dispose()
    {
        _traceFile?.Dispose();
        _traceBuffer?.Dispose();
    }

    private StringWriter? _traceBuffer;
    private StreamWriter? _traceFile;

    /// <summary>The trace sink factory when --emit trace was asked for.</summary>
    public Func<Machine, ITraceSink>? CreateTraceSink(TraceFilter filter)
    {
        var spec = emits.FirstOrDefault(e => e.Kind == "trace");
        if (spec is null) return null;
        TextWriter writer;
        if (spec.File is { } f)
        {
            _traceFile = new StreamWriter(f, false, new UTF8Encoding(false)) { NewLine = "\n" };
            writer = _traceFile;
        }
        else
        {
            _traceBuffer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
            writer = _traceBuffer;
        }
        return machine =>
        {
            var formatter = new TraceFormatter(new HierarchyRegisterNamer(machine.Hierarchy), machine.Cpu.Phases.NameOf);
            ITraceSink sink = json ? new JsonLinesTraceSink(writer, formatter) : new TextTraceSink(writer, formatter);
            return new FilteredTraceSink(sink, filter with { PhaseNameOf = machine.Cpu.Phases.NameOf });
        };
    }

    public void Write(ScenarioRunner run, Func<MechanismOverride, ScenarioRunner?>? rerun = null)
    {
        _traceFile?.Flush();
        PciSnapshot? snapshot = null;
        PciSnapshot Snap() => snapshot ??= run.Machine.Snapshot();
        foreach (var e in emits)
        {
            var text = e.Kind switch
            {
                "tree" => TreeReport.Render(Snap()),
                "lspci" => LspciReport.Render(Snap()),
                "lspci-vvv" => LspciVerboseReport.Render(Snap()),
                "lspci-dump" => LspciReport.RenderDump(Snap()),
                "query-pci" => QueryPciReport.Render(Snap()),
                "info-pci" => InfoPciReport.Render(Snap()),
                "firmware-log" => run.FirmwareRun is { } fw ? Lines(fw.Log) : "(no firmware ran: add --firmware seabios)\n",
                "e820" => PciEmu.Platform.Machines.Xenfv.XenfvMachineKind.StateOf(run.Machine) is { } xen ? XenE820Note(xen, run.FirmwareRun?.Result as PciEmu.Firmware.Hvmloader.HvmloaderResult) : E820Text(run),
                "kernel-log" => run.Kernel is { } k ? Lines(k.Log.Lines) : "(no kernel ran: add --kernel linux)\n",
                "iomem" => run.Kernel?.ProcIomem() ?? "(no kernel ran: add --kernel linux)\n",
                "ioports" => run.Kernel?.ProcIoports() ?? "(no kernel ran: add --kernel linux)\n",
                "hotplug" => Lines(run.Steps.Select(s => s.Summary)),
                "trace" => e.File is null ? _traceBuffer?.ToString() ?? string.Empty : null,
                "profile" => ProfileText(run, Snap(), rerun, e.File is null),
                "profile-svg" => Profile.Capture(run.Machine.Cpu, b => DeviceLabel(Snap(), b)).ToSvg(),
                "cycles" => Cycles(run),
                _ => throw new CliInputException(e.Kind, $"--emit {e.Kind}: not supported"),
            };
            if (text is null) continue;
            if (e.File is { } path && e.Kind != "trace") File.WriteAllText(path, text);
            else if (e.File is null) stdout.Write(text);
        }
    }

    private string? ProfileText(ScenarioRunner run, PciSnapshot snap, Func<MechanismOverride, ScenarioRunner?>? rerun, bool toStdout)
    {
        var profile = Profile.Capture(run.Machine.Cpu, b => DeviceLabel(snap, b));
        var compare = new List<(string Name, Profile Profile)> { ("as run", profile) };
        foreach (var (name, m) in new[] { ("native", MechanismOverride.Native), ("CF8/CFC only", MechanismOverride.Cf8Cfc) })
        {
            if (rerun?.Invoke(m) is { } other) compare.Add((name, Profile.Capture(other.Machine.Cpu)));
        }
        if (toStdout && ProfileConsole.IsInteractive(stdout))
        {
            ProfileConsole.Render(profile, compare);
            return null;
        }
        return profile.ToText() + ProfileConsole.ComparisonText(compare);
    }

    private static string Lines(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var l in lines) sb.Append(l).Append('\n');
        return sb.ToString();
    }

    /// <summary>xenfv: hvmloader's build_e820_table is not ported (it depends on SeaBIOS's image and ACPI sizes); say what is known.</summary>
    private static string XenE820Note(PciEmu.Platform.Machines.Xenfv.XenfvState xen, PciEmu.Firmware.Hvmloader.HvmloaderResult? hvmloader)
    {
        // hvm_info as hvmloader left it after relocating RAM, else as libxl wrote it.
        var ram = hvmloader is { } h ? xen.Memory with { LowMemPgEnd = h.LowMemPgEnd, HighMemPgEnd = h.HighMemPgEnd } : xen.Memory;
        var high = ram.HighMemPgEnd == 0 ? "none" : $"0x100000000-0x{((ulong)ram.HighMemPgEnd << 12) - 1:x}";
        return $"(xenfv: hvmloader's E820 is not modelled; hvm_info RAM below 4 GiB ends at 0x{ram.LowRamEnd:x}, RAM above 4 GiB: {high}; reserved from 0xfc000000)\n";
    }

    private static string E820Text(ScenarioRunner run)
    {
        IReadOnlyList<E820Entry> entries = run.Firmware?.E820
            ?? (run.Machine.FwCfg.TryGetFile("etc/e820", out var data) ? E820Entry.Decode(data.Span) : []);
        var sb = new StringBuilder();
        foreach (var x in entries)
        {
            var type = x.Type switch
            {
                E820Type.Ram => "RAM",
                E820Type.Reserved => "RESERVED",
                E820Type.Acpi => "ACPI",
                E820Type.Nvs => "NVS",
                E820Type.Unusable => "UNUSABLE",
                _ => ((uint)x.Type).ToString(CultureInfo.InvariantCulture),
            };
            sb.Append(CultureInfo.InvariantCulture, $"{x.Start:x16}-{x.End - 1:x16} {type}\n");
        }
        return sb.ToString();
    }

    private static string Cycles(ScenarioRunner run)
    {
        var s = run.Machine.Cpu.Stats;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"cost model: {run.Machine.Cpu.Cost.Name}\n");
        sb.Append(CultureInfo.InvariantCulture, $"port cycles: {s.PortCycles}\nmmio cycles: {s.MmioCycles}\n");
        sb.Append(CultureInfo.InvariantCulture, $"config accesses: CF8/CFC {s.ConfigAccesses(AccessMechanism.Cf8Cfc)}, ECAM {s.ConfigAccesses(AccessMechanism.Ecam)}, master aborts {s.ConfigAborts}\n");
        sb.Append(CultureInfo.InvariantCulture, $"cpu cycles: {s.TotalCycles}\n");
        return sb.ToString();
    }

    /// <summary>"01:00.0 pci-testdev (hp0)" for profiles.</summary>
    public static string? DeviceLabel(PciSnapshot snapshot, Bdf bdf)
    {
        var f = Find(snapshot.Root, bdf);
        return f is null ? null : $"{bdf} {f.Driver}{(f.QdevId is { } id ? $" ({id})" : string.Empty)}";
    }

    private static FunctionSnapshot? Find(BusSnapshot bus, Bdf bdf)
    {
        if (bus.Number == bdf.Bus && bus.At(bdf.DevFn) is { } hit) return hit;
        foreach (var f in bus.Functions)
        {
            if (f.Secondary is { } sec && Find(sec, bdf) is { } r) return r;
        }
        return null;
    }
}
