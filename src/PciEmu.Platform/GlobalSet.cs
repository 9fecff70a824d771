namespace PciEmu.Platform;

/// <summary>
/// The -global list (qdev_prop_register_global): properties the platform reads itself (hot-plug knobs, hole
/// sizes) and the rest, applied to every device of the named driver before its -device properties.
/// </summary>
public sealed class GlobalSet(IReadOnlyList<GlobalProperty> globals)
{
    private readonly HashSet<GlobalProperty> _used = [];

    public IReadOnlyList<GlobalProperty> All => globals;

    /// <summary>The last value given for DRIVER.PROP (later -global wins), marked as used.</summary>
    private GlobalProperty? Last(string driver, string property)
    {
        GlobalProperty? hit = null;
        foreach (var g in globals)
        {
            if (g.Driver == driver && g.Property == property) hit = g;
        }
        if (hit is not null) _used.Add(hit);
        return hit;
    }

    /// <summary>A bool the platform consumes; a bad value is fatal as in object_apply_global_props.</summary>
    public bool? TakeBool(string driver, string property)
    {
        if (Last(driver, property) is not { } g) return null;
        try
        {
            return QemuValues.ParseBool(property, g.Value);
        }
        catch (QemuException e)
        {
            throw new QemuException(CantApply(g, e.Message));
        }
    }

    /// <summary>A size the platform consumes (visit_type_size: qemu_strtosz, bytes).</summary>
    public ulong? TakeSize(string driver, string property)
    {
        if (Last(driver, property) is not { } g) return null;
        if (!QemuValues.TryParseSize(g.Value, out var v))
            throw new QemuException(CantApply(g, $"Parameter '{property}' expects size"));
        return v;
    }

    /// <summary>Globals for a driver, in command-line order, marked as used.</summary>
    public IEnumerable<GlobalProperty> For(string driver)
    {
        foreach (var g in globals)
        {
            if (g.Driver != driver) continue;
            _used.Add(g);
            yield return g;
        }
    }

    public bool IsUsed(GlobalProperty g) => _used.Contains(g);

    /// <summary>object_apply_global_props' prefix.</summary>
    public static string CantApply(GlobalProperty g, string why) => $"can't apply global {g.Driver}.{g.Property}={g.Value}: {why}";
}
