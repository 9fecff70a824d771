using System.Text;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Advice;

/// <summary>One option of a topology: its name as written ("-device", "--kernel", "device") and its argument.</summary>
public readonly record struct OptionItem(string Name, string? Argument)
{
    /// <summary>The option name without leading dashes ("device", "kernel", "device-add").</summary>
    public string Key => Name.TrimStart('-');
}

/// <summary>
/// A topology as an ordered list of options, from an argument vector or a scenario file, so that the advisor can
/// amend one device's properties or the kernel's options and hand the whole list back to the topology parser (and
/// print it as QEMU's command line). Parsing stays the parser's job: this only splits names from arguments.
/// </summary>
public sealed class OptionList
{
    /// <summary>Options that take no argument (everything else takes exactly one).</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "nodefaults" };

    /// <summary>The options of QEMU's own command line (what <c>--emit qemu-args</c> prints); the rest are PciEmu's.</summary>
    private static readonly HashSet<string> QemuKeys = new(StringComparer.Ordinal) { "M", "machine", "m", "device", "global", "nodefaults" };

    private readonly List<OptionItem> _items;

    private OptionList(List<OptionItem> items) => _items = items;

    public IReadOnlyList<OptionItem> Items => _items;

    /// <summary>Splits an argument vector ("-M", "q35", "-device", "…", "-nodefaults").</summary>
    public static OptionList FromArguments(IReadOnlyList<string> args)
    {
        var items = new List<OptionItem>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (Flags.Contains(name.TrimStart('-')) || i + 1 >= args.Count) items.Add(new OptionItem(name, null));
            else items.Add(new OptionItem(name, args[++i]));
        }
        return new OptionList(items);
    }

    /// <summary>Splits scenario-file text as <see cref="TopologyParser.ParseText"/> reads it (one "option [argument]" per line).</summary>
    public static OptionList FromText(string text)
    {
        var items = new List<OptionItem>();
        foreach (var raw in text.Split('\n'))
        {
            var line = TopologyParser.StripComment(raw).Trim();
            if (line.Length == 0) continue;
            var split = line.IndexOfAny([' ', '\t']);
            items.Add(split < 0 ? new OptionItem(line, null) : new OptionItem(line[..split], line[(split + 1)..].Trim()));
        }
        return new OptionList(items);
    }

    /// <summary>The argument vector the topology parser reads (file-style names get their dash back).</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var args = new List<string>();
        foreach (var item in _items)
        {
            args.Add(item.Name.StartsWith('-') || item.Name is "device_add" or "device_del" ? item.Name : "-" + item.Name);
            if (item.Argument is not null) args.Add(item.Argument);
        }
        return args;
    }

    /// <summary>QEMU's part of the list, one token per line as <c>--emit qemu-args</c> writes it (-M, -m, -device, -global, -nodefaults).</summary>
    public IReadOnlyList<string> QemuArguments()
    {
        var args = new List<string>();
        foreach (var item in _items.Where(i => QemuKeys.Contains(i.Key)))
        {
            args.Add("-" + item.Key);
            if (item.Argument is not null) args.Add(item.Argument);
        }
        return args;
    }

    /// <summary>The argument of the first option with this key, or null.</summary>
    public string? Find(string key) => _items.FirstOrDefault(i => i.Key == key).Argument;

    /// <summary>The -device argument whose id= is <paramref name="id"/>, or null.</summary>
    public string? FindDevice(string id) =>
        _items.Where(i => i.Key == "device" && i.Argument is not null).Select(i => i.Argument!).FirstOrDefault(a => QemuOpts.FindId(a) == id);

    /// <summary>A copy with <paramref name="property"/>=<paramref name="value"/> set on the -device whose id= is <paramref name="id"/>.</summary>
    public OptionList WithDeviceProperty(string id, string property, string value)
    {
        var items = _items.ToList();
        var index = items.FindIndex(i => i.Key == "device" && i.Argument is not null && QemuOpts.FindId(i.Argument) == id);
        if (index < 0) throw new InvalidOperationException($"no -device with id={id}");
        items[index] = items[index] with { Argument = SetOption(items[index].Argument!, property, value) };
        return new OptionList(items);
    }

    /// <summary>A copy with one option of <c>--kernel linux,…</c> set (added as <c>--kernel linux,OPTION</c> when absent).</summary>
    public OptionList WithKernelOption(string option, string? value)
    {
        var items = _items.ToList();
        var index = items.FindIndex(i => i.Key == "kernel");
        var current = index < 0 ? "linux" : items[index].Argument ?? "linux";
        var parts = current.Split(',').ToList();
        parts.RemoveAll(p => (p.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? p[..eq] : p) == option);
        parts.Add(value is null ? option : option + "=" + value);
        var item = new OptionItem(index < 0 ? "--kernel" : items[index].Name, string.Join(',', parts));
        if (index < 0) items.Add(item);
        else items[index] = item;
        return new OptionList(items);
    }

    /// <summary>A copy with <c>--xen KEY=VALUE</c> set (replacing an earlier value of the same key).</summary>
    public OptionList WithXen(string key, string value)
    {
        var items = _items.Where(i => !(i.Key == "xen" && i.Argument is not null && i.Argument.StartsWith(key + "=", StringComparison.Ordinal))).ToList();
        var at = items.FindLastIndex(i => i.Key is "xen" or "M" or "machine" or "m");
        items.Insert(at + 1, new OptionItem("--xen", key + "=" + value));
        return new OptionList(items);
    }

    /// <summary>Sets NAME=VALUE in a QEMU option string, replacing an existing NAME= (qemu_opt_set semantics: last wins).</summary>
    private static string SetOption(string text, string name, string value)
    {
        var opts = QemuOpts.Parse(text, DeviceLineParser.DriverKey);
        var sb = new StringBuilder();
        var done = false;
        foreach (var o in opts)
        {
            if (sb.Length > 0) sb.Append(',');
            if (o.Name == DeviceLineParser.DriverKey && sb.Length == 0)
            {
                sb.Append(QemuOpts.Escape(o.Value));
                continue;
            }
            sb.Append(o.Name).Append('=').Append(QemuOpts.Escape(o.Name == name ? value : o.Value));
            done |= o.Name == name;
        }
        if (!done) sb.Append(',').Append(name).Append('=').Append(QemuOpts.Escape(value));
        return sb.ToString();
    }
}
