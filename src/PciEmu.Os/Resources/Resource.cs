namespace PciEmu.Os.Resources;

/// <summary>struct resource: a range in the I/O, memory or bus-number tree. "Assigned" means Parent != null.</summary>
public sealed class Resource
{
    public Resource(string name, ulong start, ulong end, ResFlags flags)
    {
        Name = name;
        Start = start;
        End = end;
        Flags = flags;
    }

    public string Name { get; set; }
    public ulong Start { get; set; }
    public ulong End { get; set; }
    public ResFlags Flags { get; set; }
    public Resource? Parent { get; internal set; }

    /// <summary>Children sorted by address, as the kernel's sibling list.</summary>
    public List<Resource> Children { get; } = [];

    /// <summary>resource_size.</summary>
    public ulong Size => End - Start + 1;

    public bool IsAssigned => Parent is not null;

    /// <summary>reset_resource.</summary>
    public void Reset()
    {
        Start = 0;
        End = 0;
        Flags = ResFlags.None;
    }

    /// <summary>resource_contains (type-checked, UNSET never contains).</summary>
    public bool Contains(Resource r) =>
        Flags.Type() == r.Flags.Type() && !Flags.Any(ResFlags.Unset) && !r.Flags.Any(ResFlags.Unset)
        && Start <= r.Start && End >= r.End;

    public Resource Clone() => new(Name, Start, End, Flags);

    public override string ToString() => ResourceFormat.Format(this);
}
