using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
using PciEmu.Os.Resources;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Checking;

/// <summary>Overlap, containment and alignment of the live decodes, and the root bus against the firmware's windows.</summary>
internal static class AddressRules
{
    /// <summary>I/O windows have 4 KiB granularity (PCI-to-PCI bridge spec; pci_bridge_get_base).</summary>
    public const ulong IoWindowGranule = 0x1000;

    /// <summary>Memory windows have 1 MiB granularity.</summary>
    public const ulong MemWindowGranule = 0x100000;

    private const ulong FourGiB = 1UL << 32;

    public static void Check(DecodedTree tree, List<InvariantViolation> found)
    {
        foreach (var level in tree.Levels)
        {
            var readOnlyIoAbove = false;
            for (var a = level.Owner; a is not null; a = a.Parent) readOnlyIoAbove |= a.IoWindowReadOnly;
            CheckOverlaps(level, readOnlyIoAbove, found);
            foreach (var r in level.Ranges)
            {
                CheckAlignment(r, found);
                for (var a = level.Owner; a is not null; a = a.Parent) CheckInside(r, a, readOnlyIoAbove, found);
            }
        }
    }

    /// <summary>
    /// Sorted sweep per space: a range starting before the furthest end seen so far overlaps that range. Below a
    /// read-only I/O window a stale I/O BAR Linux failed to reassign can collide with one it did assign (known upstream).
    /// </summary>
    private static void CheckOverlaps(BusLevel level, bool readOnlyIoAbove, List<InvariantViolation> found)
    {
        foreach (var space in new[] { DecodeSpace.Io, DecodeSpace.Memory })
        {
            DecodedRange? reach = null;
            foreach (var r in level.Ranges.Where(r => r.Space == space).OrderBy(r => r.Start).ThenBy(r => r.End))
            {
                if (reach is not null && r.Start <= reach.End)
                {
                    found.Add(new(InvariantRules.Overlap, $"bus {level.Number:x2}: {r} overlaps {reach}")
                    {
                        KnownUpstream = space == DecodeSpace.Io && readOnlyIoAbove ? InvariantChecker.ReadOnlyIoWindow : null,
                    });
                }
                if (reach is null || r.End > reach.End) reach = r;
            }
        }
    }

    private static void CheckAlignment(DecodedRange r, List<InvariantViolation> found)
    {
        var granule = r.Kind switch
        {
            DecodeKind.Bar => r.Size,
            DecodeKind.IoWindow => IoWindowGranule,
            _ => MemWindowGranule,
        };
        var sizeOk = r.Kind == DecodeKind.Bar ? ulong.IsPow2(r.Size) : r.Size % granule == 0;
        if (r.Start % granule != 0 || !sizeOk)
            found.Add(new(InvariantRules.Alignment, $"{r} is not aligned to 0x{granule:x}"));
    }

    /// <summary>
    /// Every decode below a bridge lies in the bridge's window of its kind (prefetchable may use the mem window).
    /// Below a read-only I/O window, Linux's claims fail and a BAR it then fails to assign keeps its stale firmware
    /// value (pci_assign_resource leaves the register alone), so stray I/O decodes there are known upstream.
    /// </summary>
    private static void CheckInside(DecodedRange r, BridgeNode bridge, bool readOnlyIoAbove, List<InvariantViolation> found)
    {
        var prefetchable = r.Kind == DecodeKind.PrefWindow || (r.Kind == DecodeKind.Bar && r.Prefetchable);
        var ok = r.Space == DecodeSpace.Io
            ? bridge.Io is { } io && r.Within(io.Start, io.End)
            : (bridge.Mem is { } mem && r.Within(mem.Start, mem.End))
              || (prefetchable && bridge.Pref is { } pref && r.Within(pref.Start, pref.End));
        if (ok) return;
        var windows = string.Join(", ", bridge.Windows());
        found.Add(new(InvariantRules.Containment, $"{r} is outside the windows of bridge {bridge.Bdf} ({(windows.Length == 0 ? "none decoded" : windows)})")
        {
            KnownUpstream = r.Space == DecodeSpace.Io && readOnlyIoAbove ? InvariantChecker.ReadOnlyIoWindow : null,
        });
    }

    /// <summary>
    /// The root bus's 32-bit memory decodes lie in the firmware's PCI hole [pcimem_start, pcimem_end), or, once a
    /// kernel ran, in one of the host bridge's _CRS memory windows it was handed: Linux assigns there at hot-plug time,
    /// and on pc QEMU's _CRS starts at the end of low RAM, below SeaBIOS's hole (recorded with real Linux 6.12: pc 512M,
    /// a cold-plugged empty pci-bridge,shpc=off gets [mem 0x20100000-0x202fffff] when acpiphp rescans the root bus).
    /// 64-bit ones lie above 4 GiB.
    /// </summary>
    public static void CheckRootWindow(DecodedTree tree, PciWindows w, IReadOnlyList<RootWindow> kernelWindows, List<InvariantViolation> found)
    {
        var root = tree.Levels[0];
        foreach (var r in root.Ranges.Where(r => r.Space == DecodeSpace.Memory))
        {
            if (r.Start >= FourGiB) continue;
            if (kernelWindows.Any(k => (k.Type & ResFlags.Mem) != 0 && r.Within(k.Start, k.End))) continue;
            if (r.Start < w.PciMemStart || r.End >= w.PciMemEnd)
                found.Add(new(InvariantRules.RootWindow, $"{r} is outside the 32-bit PCI window 0x{w.PciMemStart:x}-0x{w.PciMemEnd - 1:x}"));
        }
    }
}
