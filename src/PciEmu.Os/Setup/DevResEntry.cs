using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os.Setup;

/// <summary>struct pci_dev_resource: a list entry of the realloc, fail and save lists.</summary>
internal sealed class DevResEntry(PciDev dev, Resource res, ulong addSize = 0, ulong minAlign = 0)
{
    public PciDev Dev { get; } = dev;
    public Resource Res { get; } = res;
    public ulong Start { get; } = res.Start;
    public ulong End { get; } = res.End;
    public ResFlags Flags { get; } = res.Flags;
    public ulong AddSize { get; set; } = addSize;
    public ulong MinAlign { get; set; } = minAlign;
}

/// <summary>List helpers named after setup-bus.c's add_to_list / get_res_add_size / remove_from_list.</summary>
internal static class DevResList
{
    public static DevResEntry? Find(List<DevResEntry>? list, Resource r) => list?.FirstOrDefault(e => ReferenceEquals(e.Res, r));

    /// <summary>add_to_list: list_add, i.e. at the head (the lists are walked newest first).</summary>
    public static void AddToList(List<DevResEntry> list, DevResEntry e) => list.Insert(0, e);

    /// <summary>get_res_add_size.</summary>
    public static ulong AddSize(List<DevResEntry>? list, Resource r) => Find(list, r)?.AddSize ?? 0;

    /// <summary>get_res_add_align.</summary>
    public static ulong AddAlign(List<DevResEntry>? list, Resource r) => Find(list, r)?.MinAlign ?? 0;

    /// <summary>remove_from_list.</summary>
    public static void Remove(List<DevResEntry>? list, Resource r) => list?.RemoveAll(e => ReferenceEquals(e.Res, r));
}
