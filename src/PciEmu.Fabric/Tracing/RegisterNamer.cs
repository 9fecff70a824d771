using PciEmu.Core;

namespace PciEmu.Fabric.Tracing;

/// <summary>Names a config offset the way setpci does: "COMMAND", "BASE_ADDRESS_0+2", "CAP_EXP+0x1a", "ECAP_AER+0x4".</summary>
public interface IRegisterNamer
{
    string Name(Bdf bdf, int offset, int width);
}

/// <summary>Names registers by the header layout and the live capability chain of the function a Bdf routes to now.</summary>
public sealed class HierarchyRegisterNamer(PciHierarchy hierarchy) : IRegisterNamer
{
    public string Name(Bdf bdf, int offset, int width)
    {
        var route = hierarchy.Route(bdf.Bus, bdf.DevFn);
        var f = route.Function;
        if (f is null || !f.IsRealized) return RegisterNames.Header(offset, bridge: false);
        return RegisterNames.Describe(f.Config.ReadOnlyData, f.IsBridge, offset);
    }
}

/// <summary>Static register naming helpers shared by the trace and the setpci grammar.</summary>
public static class RegisterNames
{
    public static string Header(int offset, bool bridge)
    {
        var list = bridge ? Type1Header.All : Type0Header.All;
        foreach (var r in list)
        {
            if (r.Offset == offset) return r.Name;
        }
        foreach (var r in list)
        {
            if (r.Contains(offset)) return $"{r.Name}+{offset - r.Offset}";
        }
        return $"0x{offset:x2}";
    }

    public static string Describe(ReadOnlySpan<byte> config, bool bridge, int offset)
    {
        if (offset < CommonHeader.Size) return Header(offset, bridge);
        CapabilityEntry? best = null;
        foreach (var cap in CapabilityListBuilder.Walk(config))
        {
            if (cap.Extended != offset >= ExtCapabilityId.ExtendedStart) continue;
            if (cap.Offset <= offset && (best is null || cap.Offset > best.Value.Offset)) best = cap;
        }
        if (best is { } c)
        {
            var name = c.SetpciName ?? (c.Extended ? $"ECAP_0x{c.Id:x4}" : $"CAP_0x{c.Id:x2}");
            var rel = offset - c.Offset;
            return rel == 0 ? name : $"{name}+0x{rel:x2}";
        }
        return $"0x{offset:x3}";
    }
}
