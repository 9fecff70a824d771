using System.Globalization;
using System.Text.RegularExpressions;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Checking;

/// <summary>
/// The three views agree: what SeaBIOS says it programmed ("PCI: map device" lines), what the kernel holds
/// (x86 Linux claims firmware assignments rather than reassigning), and what config space decodes now.
/// </summary>
internal static partial class ViewRules
{
    private const int LastBar = 5;

    [GeneratedRegex(@"^PCI: map device bdf=(?<bdf>[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])  bar (?<bar>\d+), addr (?<addr>[0-9a-f]+), size (?<size>[0-9a-f]+) ", RegexOptions.CultureInvariant)]
    private static partial Regex MapLine();

    /// <summary>Every BAR SeaBIOS mapped is claimed by the kernel at the same address.</summary>
    public static void CheckFirmwareAgainstKernel(SeaBiosResult firmware, LinuxEnumerator kernel, List<InvariantViolation> found)
    {
        var held = kernel.DeviceResources().ToDictionary(x => (x.Bdf, x.Index), x => x.Resource);
        foreach (var line in firmware.Log)
        {
            var m = MapLine().Match(line);
            if (!m.Success) continue;
            var bar = int.Parse(m.Groups["bar"].Value, CultureInfo.InvariantCulture);
            if (bar > LastBar) continue;
            var bdf = Bdf.Parse(m.Groups["bdf"].Value);
            var addr = ulong.Parse(m.Groups["addr"].Value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (!held.TryGetValue((bdf, bar), out var r) || !r.IsAssigned)
                found.Add(new(InvariantRules.FirmwareKernel, $"{bdf} BAR{bar}: firmware mapped it at 0x{addr:x}, the kernel did not claim it"));
            else if (r.Start != addr)
                found.Add(new(InvariantRules.FirmwareKernel, $"{bdf} BAR{bar}: firmware mapped it at 0x{addr:x}, the kernel holds 0x{r.Start:x}"));
        }
    }

    /// <summary>Every BAR and window the kernel holds is what config space decodes, naturally aligned.</summary>
    public static void CheckKernelAgainstConfig(DecodedTree tree, LinuxEnumerator kernel, List<InvariantViolation> found)
    {
        var functions = tree.AllFunctions().ToDictionary(x => x.Bdf, x => x.Function);
        foreach (var (bdf, index, r) in kernel.DeviceResources())
        {
            if (!r.IsAssigned || !functions.TryGetValue(bdf, out var f)) continue;
            if (index <= LastBar) CheckBar(bdf, index, r, f, found);
            else if (index is >= PciDev.BridgeIoWindow and <= PciDev.BridgePrefWindow && f.IsBridgeHeader) CheckWindow(bdf, index, r, f, found);
        }
    }

    private static void CheckBar(Bdf bdf, int index, Resource r, FunctionSnapshot f, List<InvariantViolation> found)
    {
        if (r.Size != 0 && r.Start % r.Size != 0)
            found.Add(new(InvariantRules.Alignment, $"{bdf} BAR{index}: the kernel holds [0x{r.Start:x}-0x{r.End:x}], not size-aligned"));
        var region = f.Regions().FirstOrDefault(x => x.Bar == index);
        if (region is null)
            found.Add(new(InvariantRules.KernelConfig, $"{bdf} BAR{index}: the kernel holds [0x{r.Start:x}-0x{r.End:x}] but config space has no such BAR"));
        else if (region.RawAddress != r.Start || region.Size != r.Size)
            found.Add(new(InvariantRules.KernelConfig, $"{bdf} BAR{index}: the kernel holds [0x{r.Start:x}-0x{r.End:x}], config space has 0x{region.RawAddress:x} size 0x{region.Size:x}"));
    }

    private static void CheckWindow(Bdf bdf, int index, Resource r, FunctionSnapshot f, List<InvariantViolation> found)
    {
        var (w, granule, name) = index switch
        {
            PciDev.BridgeIoWindow => (BridgeRanges.Io(f), AddressRules.IoWindowGranule, "io"),
            PciDev.BridgeMemWindow => (BridgeRanges.Memory(f), AddressRules.MemWindowGranule, "mem"),
            _ => (BridgeRanges.Prefetchable(f), AddressRules.MemWindowGranule, "pref"),
        };
        if (r.Start % granule != 0 || (r.End + 1) % granule != 0)
            found.Add(new(InvariantRules.Alignment, $"{bdf} {name} window: the kernel holds [0x{r.Start:x}-0x{r.End:x}], not 0x{granule:x}-granular"));
        if (w.Base != r.Start || w.Limit != r.End)
            found.Add(new(InvariantRules.KernelConfig, $"{bdf} {name} window: the kernel holds [0x{r.Start:x}-0x{r.End:x}], config space has 0x{w.Base:x}-0x{w.Limit:x}"));
    }
}
