namespace PciEmu.Firmware.Edk2;

internal sealed partial class PciBus
{
    /// <summary>
    /// DumpResourceMap (PciLib.c): the root's non-empty lists (header + children), then per PPB child the nodes it owns
    /// in its parent's lists, recursively, each map followed by an empty line.
    /// </summary>
    private void DumpResourceMap(PciIoDevice root, ResourceLists lists)
    {
        _log.Debug("PciBus: Resource Map for Root Bridge PciRoot(0x0)");
        var owned = new List<(PciResourceNode Node, ulong Base)>();
        foreach (var list in lists.All)
        {
            if (list.Length == 0) continue;
            DumpBridgeResource(list, list.Offset);
            owned.Add((list, list.Offset));
        }
        _log.Debug("");
        DumpChildMaps(root, owned);
    }

    private void DumpChildMaps(PciIoDevice bridge, IReadOnlyList<(PciResourceNode Node, ulong Base)> parentLists)
    {
        foreach (var child in bridge.ChildList.Where(c => c.IsPciBridge))
        {
            var mine = new List<(PciResourceNode, ulong)>();
            foreach (var (list, @base) in parentLists)
            {
                foreach (var n in list.ChildList.Where(n => n.PciDev == child)) mine.Add((n, @base + n.Offset));
            }
            _log.Debug($"PciBus: Resource Map for Bridge {Edk2Log.Bdf(child.Bdf)}");
            foreach (var (n, b) in mine) DumpBridgeResource(n, b);
            _log.Debug("");
            DumpChildMaps(child, mine);
        }
    }

    /// <summary>DumpBridgeResource: the header line, then one line per child (typical with its owner, or padding).</summary>
    private void DumpBridgeResource(PciResourceNode node, ulong @base)
    {
        _log.Debug($"Type = {Edk2Log.TypeStr(node.ResType)}; Base = 0x{Edk2Log.X(@base)};\tLength = 0x{Edk2Log.X(node.Length)};\tAlignment = 0x{Edk2Log.X(node.Alignment)}");
        foreach (var c in node.ChildList)
        {
            var suffix = c.ResType != node.ResType ? $"; Type = {Edk2Log.TypeStr(c.ResType)}" : string.Empty;
            if (c.ResourceUsage == PciResourceUsage.Padding)
            {
                _log.Debug($"   Base = Padding;\tLength = 0x{Edk2Log.X(c.Length)};\tAlignment = 0x{Edk2Log.X(c.Alignment)}{suffix}");
                continue;
            }
            var dev = c.PciDev;
            var kind = dev.IsPciBridge ? "PPB" : "PCI";
            var isWindow = dev.IsRootBridge || c.ResType == PciBarType.OpRom || (dev.IsPciBridge && c.Bar > PciIoDevice.PpbBar1);
            var where = isWindow ? "**" : Edk2Log.X((ulong)dev.PciBar[c.Bar].Offset, 2);
            var bdf = Edk2Log.Bdf(dev.Bdf);
            _log.Debug($"   Base = 0x{Edk2Log.X(@base + c.Offset)};\tLength = 0x{Edk2Log.X(c.Length)};\tAlignment = 0x{Edk2Log.X(c.Alignment)};\tOwner = {kind} {bdf[..^1]}:{where}]{suffix}");
        }
    }
}
