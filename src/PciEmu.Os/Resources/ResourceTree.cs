namespace PciEmu.Os.Resources;

/// <summary>The allocation callback pcibios_align_resource is plugged in as (resource_alignf).</summary>
public delegate ulong AlignFunc(Resource avail, ulong size, ulong align);

/// <summary>The parts of kernel/resource.c the PCI core uses.</summary>
public static class ResourceTree
{
    /// <summary>request_resource_conflict / __request_resource: insert <paramref name="n"/> under <paramref name="root"/>,
    /// returning the conflicting resource (root itself if out of range) or null on success.</summary>
    public static Resource? RequestConflict(Resource root, Resource n)
    {
        if (n.End < n.Start || n.Start < root.Start || n.End > root.End) return root;
        var i = 0;
        for (; i < root.Children.Count; i++)
        {
            var c = root.Children[i];
            if (c.Start > n.End) break;
            if (c.End < n.Start) continue;
            return c;
        }
        root.Children.Insert(i, n);
        n.Parent = root;
        return null;
    }

    /// <summary>insert_resource: like request, but an existing child fully inside <paramref name="n"/> is re-parented under it.</summary>
    public static Resource? InsertConflict(Resource root, Resource n)
    {
        var inside = root.Children.Where(c => c.Start >= n.Start && c.End <= n.End).ToList();
        foreach (var c in inside) root.Children.Remove(c);
        var conflict = RequestConflict(root, n);
        if (conflict is not null)
        {
            foreach (var c in inside) RequestConflict(root, c);
            return conflict;
        }
        foreach (var c in inside) RequestConflict(n, c);
        return null;
    }

    /// <summary>release_resource: unlink the resource (and its subtree) from its parent.</summary>
    public static bool Release(Resource r)
    {
        if (r.Parent is null) return false;
        r.Parent.Children.Remove(r);
        r.Parent = null;
        return true;
    }

    /// <summary>release_child_resources: every descendant loses its parent and keeps its size at start 0.</summary>
    public static void ReleaseChildren(Resource r)
    {
        foreach (var c in r.Children.ToArray())
        {
            c.Parent = null;
            ReleaseChildren(c);
            var size = c.Size;
            c.Start = 0;
            c.End = size - 1;
        }
        r.Children.Clear();
    }

    /// <summary>allocate_resource with __find_resource's first-fit walk over the gaps of <paramref name="root"/>; an
    /// already-assigned resource is reallocated (reallocate_resource).</summary>
    public static bool Allocate(Resource root, Resource n, ulong size, ulong min, ulong max, ulong align, AlignFunc alignf,
        Action<Resource>? archRemoveReservations = null)
    {
        if (n.Parent is not null) return Reallocate(root, n, size, min, max, align, alignf, archRemoveReservations);
        if (FindResource(root, n, null, size, min, max, align, alignf, archRemoveReservations) is not { } start) return false;
        n.Start = start;
        n.End = start + size - 1;
        return RequestConflict(root, n) is null;
    }

    /// <summary>reallocate_resource: the resource's own range counts as free; grow in place when the new range covers it.</summary>
    private static bool Reallocate(Resource root, Resource old, ulong size, ulong min, ulong max, ulong align, AlignFunc alignf,
        Action<Resource>? arch)
    {
        if (FindResource(root, old, old, size, min, max, align, alignf, arch) is not { } start) return false;
        var end = start + size - 1;
        var covers = start <= old.Start && end >= old.End;
        var inside = old.Start <= start && old.End >= end;
        if (!covers && !inside && old.Children.Count > 0) return false;
        if (covers || inside)
        {
            old.Start = start;
            old.End = end;
            return true;
        }
        Release(old);
        old.Start = start;
        old.End = end;
        return RequestConflict(root, old) is null;
    }

    /// <summary>find_resource_space: is there an aligned gap of <paramref name="size"/> among the children?</summary>
    public static bool HasSpace(Resource root, ulong size, ulong align) =>
        FindResource(root, new Resource("", 0, size - 1, root.Flags), null, size, 0, ulong.MaxValue, align, (a, _, _) => a.Start, null) is not null;

    /// <summary>__find_resource (kernel/resource.c); <paramref name="old"/> (when reallocating) counts as free space.</summary>
    private static ulong? FindResource(Resource root, Resource n, Resource? old, ulong size, ulong min, ulong max, ulong align,
        AlignFunc alignf, Action<Resource>? arch)
    {
        var children = root.Children;
        var idx = 0;
        var tmpStart = root.Start;
        if (children.Count > 0 && children[0].Start == root.Start)
        {
            tmpStart = ReferenceEquals(children[0], old) ? old!.Start : children[0].End + 1;
            idx = 1;
        }
        while (true)
        {
            var tmpEnd = idx < children.Count ? (ReferenceEquals(children[idx], old) ? old!.End : children[idx].Start - 1) : root.End;
            if (tmpEnd >= tmpStart)
            {
                var tmp = new Resource("", tmpStart, tmpEnd, n.Flags);
                if (tmp.Start < min) tmp.Start = min;
                if (tmp.End > max) tmp.End = max;
                arch?.Invoke(tmp);
                var availStart = AlignUp(tmp.Start, align);
                if (availStart >= tmp.Start && tmp.End >= availStart)
                {
                    var avail = new Resource("", availStart, tmp.End, n.Flags & ~ResFlags.Unset);
                    var allocStart = alignf(avail, size, align);
                    var allocEnd = allocStart + size - 1;
                    if (allocStart <= allocEnd && allocStart >= avail.Start && allocEnd <= avail.End) return allocStart;
                }
            }
            if (idx >= children.Count || children[idx].End == root.End) break;
            if (!ReferenceEquals(children[idx], old)) tmpStart = children[idx].End + 1;
            idx++;
        }
        return null;
    }

    public static ulong AlignUp(ulong v, ulong align) => align <= 1 ? v : (v + align - 1) & ~(align - 1);
}
