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

    /// <summary>ICH9 SMBus (8086:2930) BAR4: SeaBIOS's ich9_smbus_enable rewrites it to pm_base+0x100 after pass #2 mapped it.</summary>
    private const ushort Ich9SmbusDeviceId = 0x2930;
    private const int Ich9SmbusBar = 4;

    [GeneratedRegex(@"^PCI: map device bdf=(?<bdf>[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])  bar (?<bar>\d+), addr (?<addr>[0-9a-f]+), size (?<size>[0-9a-f]+) \[(?<type>[a-z]+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex MapLine();

    /// <summary>Every BAR SeaBIOS mapped is claimed by the kernel at the same address.</summary>
    public static void CheckFirmwareAgainstKernel(DecodedTree tree, SeaBiosResult firmware, LinuxEnumerator kernel, List<InvariantViolation> found)
    {
        var functions = tree.AllFunctions().ToDictionary(x => x.Bdf, x => x.Function);
        var held = kernel.DeviceResources().ToDictionary(x => (x.Bdf, x.Index), x => x.Resource);
        foreach (var line in firmware.Log)
        {
            var m = MapLine().Match(line);
            if (!m.Success) continue;
            var bar = int.Parse(m.Groups["bar"].Value, CultureInfo.InvariantCulture);
            if (bar > LastBar) continue;
            var bdf = Bdf.Parse(m.Groups["bdf"].Value);
            var addr = ulong.Parse(m.Groups["addr"].Value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (functions.TryGetValue(bdf, out var f) && RewrittenAfterMapping(f, bar)) continue;
            var known = m.Groups["type"].Value == "io" && tree.Ancestors(bdf).Any(a => a.IoWindowReadOnly) ? InvariantChecker.ReadOnlyIoWindow : null;
            if (!held.TryGetValue((bdf, bar), out var r) || !r.IsAssigned)
                found.Add(new(InvariantRules.FirmwareKernel, $"{bdf} BAR{bar}: firmware mapped it at 0x{addr:x}, the kernel did not claim it") { KnownUpstream = known });
            else if (r.Start != addr)
                found.Add(new(InvariantRules.FirmwareKernel, $"{bdf} BAR{bar}: firmware mapped it at 0x{addr:x}, the kernel holds 0x{r.Start:x}") { KnownUpstream = known });
        }
    }

    private static bool RewrittenAfterMapping(FunctionSnapshot f, int bar) =>
        f.VendorId == PciEmu.Devices.PciVendor.Intel && f.DeviceId == Ich9SmbusDeviceId && bar == Ich9SmbusBar;

    /// <summary>Every BAR and window the kernel holds is what config space decodes, naturally aligned.</summary>
    public static void CheckKernelAgainstConfig(DecodedTree tree, LinuxEnumerator kernel, List<InvariantViolation> found)
    {
        var functions = tree.AllFunctions().ToDictionary(x => x.Bdf, x => x.Function);
        foreach (var (bdf, index, r) in kernel.DeviceResources())
        {
            // IORESOURCE_PCI_FIXED: legacy IDE's compatibility ports, which are not BARs in config space.
            if (!r.IsAssigned || r.Flags.Has(ResFlags.PciFixed) || !functions.TryGetValue(bdf, out var f)) continue;
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
        var readOnlyIo = index == PciDev.BridgeIoWindow && f.WriteMask[Type1Header.IoBase.Offset] == 0;
        if (w.Base != r.Start || w.Limit != r.End)
        {
            found.Add(new(InvariantRules.KernelConfig, $"{bdf} {name} window: the kernel holds [0x{r.Start:x}-0x{r.End:x}], config space has 0x{w.Base:x}-0x{w.Limit:x}")
            {
                KnownUpstream = readOnlyIo ? InvariantChecker.ReadOnlyIoWindow : null,
            });
        }
    }
}
