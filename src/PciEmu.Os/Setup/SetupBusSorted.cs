using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/setup-bus.c: the sorted per-bus assignment with optional sizes.</summary>
internal sealed class SetupBusSorted(PciCore core) : PciCorePart(core)
{
    private const int ClassNotDefined = 0x0000;
    private const int ClassBridgeHost = 0x0600;

    /// <summary>pdev_sort_resources: insert before the first entry with a strictly smaller alignment.</summary>
    private void SortResources(PciDev dev, List<DevResEntry> head)
    {
        if (dev.ClassCode is ClassNotDefined or ClassBridgeHost) return;
        for (var i = 0; i < PciDev.NumResources; i++)
        {
            var r = dev.Resources[i];
            if (r.Flags.Any(ResFlags.PciFixed) || r.Flags == ResFlags.None || r.IsAssigned) continue;
            if (dev.IsBridge == false && i >= PciDev.BridgeResources) continue;
            var rAlign = SetupBusSize.ResourceAlignment(r);
            if (rAlign == 0)
            {
                Log.Dev(dev, $"{PciCore.ResName(dev, i)} {r}: alignment must not be zero");
                continue;
            }
            var at = head.FindIndex(e => rAlign > SetupBusSize.ResourceAlignment(e.Res));
            head.Insert(at < 0 ? head.Count : at, new DevResEntry(dev, r));
        }
    }

    /// <summary>pbus_assign_resources_sorted.</summary>
    public void PbusAssignResourcesSorted(PciBusNode bus, List<DevResEntry>? realloc, List<DevResEntry>? fail)
    {
        var head = new List<DevResEntry>();
        foreach (var dev in bus.Devices) SortResources(dev, head);
        AssignResourcesSorted(head, realloc, fail);
    }

    /// <summary>pdev_assign_resources_sorted.</summary>
    public void PdevAssignResourcesSorted(PciDev dev, List<DevResEntry>? realloc, List<DevResEntry>? fail)
    {
        var head = new List<DevResEntry>();
        SortResources(dev, head);
        AssignResourcesSorted(head, realloc, fail);
    }

    /// <summary>__assign_resources_sorted: try with optional sizes, fall back to the required sizes, then expand.</summary>
    private void AssignResourcesSorted(List<DevResEntry> head, List<DevResEntry>? realloc, List<DevResEntry>? fail)
    {
        if (realloc is not null && realloc.Count > 0)
        {
            var save = head.Select(e => new DevResEntry(e.Dev, e.Res)).ToList();
            foreach (var e in head.ToArray())
            {
                e.Res.End += DevResList.AddSize(realloc, e.Res);
                if (!e.Res.Flags.Any(ResFlags.StartAlign)) continue;
                var addAlign = DevResList.AddAlign(realloc, e.Res);
                if (addAlign <= e.Res.Start) continue;
                var rSize = e.Res.Size;
                e.Res.Start = addAlign;
                e.Res.End = addAlign + rSize - 1;
                var j = head.FindIndex(o => addAlign > SetupBusSize.ResourceAlignment(o.Res) && !ReferenceEquals(o, e));
                if (j < 0) continue;
                head.Remove(e);
                j = head.FindIndex(o => addAlign > SetupBusSize.ResourceAlignment(o.Res));
                head.Insert(j < 0 ? head.Count : j, e);
            }
            var localFail = new List<DevResEntry>();
            AssignRequestedResourcesSorted(head, localFail);
            if (localFail.Count == 0)
            {
                foreach (var e in head) DevResList.Remove(realloc, e.Res);
                return;
            }
            var failType = FailResTypeMask(localFail);
            foreach (var e in head.ToArray())
            {
                if (!e.Res.IsAssigned || NeedToRelease(failType, e.Res)) continue;
                DevResList.Remove(realloc, e.Res);
                save.RemoveAll(s => ReferenceEquals(s.Res, e.Res));
                head.Remove(e);
            }
            foreach (var e in head)
            {
                if (e.Res.IsAssigned) ResourceTree.Release(e.Res);
            }
            foreach (var s in save)
            {
                s.Res.Start = s.Start;
                s.Res.End = s.End;
                s.Res.Flags = s.Flags;
            }
        }
        AssignRequestedResourcesSorted(head, fail);
        if (realloc is not null) ReassignResourcesSorted(realloc, head);
    }

    /// <summary>assign_requested_resources_sorted: failures go to the fail list and are reset.</summary>
    private void AssignRequestedResourcesSorted(List<DevResEntry> head, List<DevResEntry>? fail)
    {
        foreach (var e in head)
        {
            var idx = Array.IndexOf(e.Dev.Resources, e.Res);
            if (e.Res.Size == 0 || Core.SetupRes.AssignResource(e.Dev, idx) == 0) continue;
            if (fail is not null && !(idx == PciDev.RomResource && !e.Res.Flags.Any(ResFlags.RomEnable)))
                DevResList.AddToList(fail, new DevResEntry(e.Dev, e.Res));
            e.Res.Reset();
        }
    }

    /// <summary>pci_fail_res_type_mask: a pref failure also counts as MEM.</summary>
    private static ResFlags FailResTypeMask(List<DevResEntry> fail)
    {
        var mask = ResFlags.None;
        foreach (var f in fail) mask |= f.Flags;
        if (mask.Any(ResFlags.Prefetch)) mask |= ResFlags.Mem;
        return mask & (ResFlags.Io | ResFlags.Mem | ResFlags.Prefetch);
    }

    /// <summary>pci_need_to_release.</summary>
    private static bool NeedToRelease(ResFlags mask, Resource res)
    {
        if (res.Flags.Any(ResFlags.Io)) return mask.Any(ResFlags.Io);
        if (res.Flags.Any(ResFlags.Prefetch))
        {
            if (mask.Any(ResFlags.Prefetch)) return true;
            return mask.Any(ResFlags.Mem) && res.Parent is { } p && !p.Flags.Any(ResFlags.Prefetch);
        }
        if (res.Flags.Any(ResFlags.Mem)) return mask.Any(ResFlags.Mem);
        return false;
    }

    /// <summary>reassign_resources_sorted: satisfy optional sizes (fresh for pure reservations, else expand).</summary>
    private void ReassignResourcesSorted(List<DevResEntry> realloc, List<DevResEntry> head)
    {
        foreach (var add in realloc.ToArray())
        {
            var res = add.Res;
            if (res.Flags != ResFlags.None && !head.Any(h => ReferenceEquals(h.Res, res))) continue;
            realloc.Remove(add);
            if (res.Flags == ResFlags.None) continue;
            var idx = Array.IndexOf(add.Dev.Resources, res);
            var addSize = add.AddSize;
            if (res.Size == 0)
            {
                res.Start = add.MinAlign;
                res.End = res.Start + addSize - 1;
                if (Core.SetupRes.AssignResource(add.Dev, idx) != 0) res.Reset();
            }
            else
            {
                res.Flags |= add.Flags & (ResFlags.StartAlign | ResFlags.SizeAlign);
                if (Core.SetupRes.ReassignResource(add.Dev, idx, addSize, add.MinAlign) != 0)
                    Log.Dev(add.Dev, $"{PciCore.ResName(add.Dev, idx)} {res}: failed to add {ResourceFormat.Hex(addSize)}");
            }
        }
    }
}
