using System.Globalization;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Topology;

/// <summary>-device / device_add: qemu_opts_parse_noisily(qemu_find_opts("device"), arg, true).</summary>
public static class DeviceLineParser
{
    public const string DriverKey = "driver";
    public const string BusKey = "bus";
    public const string IdKey = "id";

    public static DeviceRequest Parse(ScenarioBuilder s, string arg)
    {
        var id = QemuOpts.FindId(arg);
        if (id is not null) s.ClaimDeviceId(id);
        return ToRequest(QemuOpts.Parse(arg, DriverKey, s.Warnings), id);
    }

    /// <summary>Parses without id bookkeeping (for callers outside a scenario).</summary>
    public static DeviceRequest Parse(string arg)
    {
        var id = QemuOpts.FindId(arg);
        if (id is not null && !QdevId.IsWellFormed(id)) throw new QemuException(QdevId.BadIdMessage);
        return ToRequest(QemuOpts.Parse(arg, DriverKey), id);
    }

    /// <summary>qemu_opts_to_qdict + qdev_device_add's split into driver, bus, id and properties.</summary>
    private static DeviceRequest ToRequest(List<QemuOpt> opts, string? id)
    {
        string? driver = null, bus = null;
        var props = new List<KeyValuePair<string, string>>();
        foreach (var o in opts)
        {
            switch (o.Name)
            {
                case DriverKey: driver = o.Value; break;
                case BusKey: bus = o.Value; break;
                case IdKey: break;
                default: props.Add(new(o.Name, o.Value)); break;
            }
        }
        if (driver is null) throw new QemuException("Parameter 'driver' is missing");
        return new DeviceRequest { Driver = driver, Id = id, Bus = bus, Properties = props };
    }
}

/// <summary>-M / -machine: the machine type (implied "type") and its properties.</summary>
public static class MachineLine
{
    private const string TypeKey = "type";
    private const string MaxRamBelow4GKey = "max-ram-below-4g";

    public static void Apply(ScenarioBuilder s, string arg)
    {
        var opts = QemuOpts.Parse(arg, TypeKey, s.Warnings);
        var type = s.Machine;
        foreach (var o in opts)
        {
            if (o.Name == TypeKey)
            {
                if (MachineKinds.IsHelpOption(o.Value)) throw new HelpRequestedException(MachineKinds.Help());
                type = MachineType.Find(o.Value) ?? throw new QemuException("unsupported machine type\nUse -machine help to list supported machines");
            }
        }
        s.Machine = type;
        foreach (var o in opts)
        {
            switch (o.Name)
            {
                case TypeKey: break;
                case MaxRamBelow4GKey:
                    if (!QemuValues.TryParseSize(o.Value, out var v)) throw new QemuException($"Parameter '{o.Name}' expects size");
                    s.MaxRamBelow4G = v;
                    break;
                case "accel" or "usb" or "graphics" or "dump-guest-core" or "mem-merge" or "smm" or "vmport":
                    break;
                default:
                    throw new QemuException($"Property '{type.Name}-machine.{o.Name}' not found");
            }
        }
    }
}

/// <summary>-m [size=]SIZE[,slots=N][,maxmem=SIZE] (softmmu/vl.c parse_memory_options).</summary>
public static class MemoryLine
{
    private const string SizeKey = "size";
    private const string SlotsKey = "slots";
    private const string MaxMemKey = "maxmem";

    /// <summary>vl.c aligns RAM to 8 KiB (QEMU_ALIGN_UP(sz, 8192)).</summary>
    private const ulong RamAlign = 8192;

    public static void Apply(ScenarioBuilder s, string arg)
    {
        var opts = QemuOpts.Parse(arg, SizeKey);
        string? sizeText = null, slotsText = null, maxText = null;
        foreach (var o in opts)
        {
            switch (o.Name)
            {
                case SizeKey: sizeText = o.Value; break;
                case SlotsKey: slotsText = o.Value; break;
                case MaxMemKey: maxText = o.Value; break;
                default: throw new QemuException($"Invalid parameter '{o.Name}'");
            }
        }
        var ram = s.RamSize;
        if (sizeText is not null)
        {
            if (sizeText.Length == 0) throw new QemuException("missing 'size' option value");
            ram = ParseOptionSize(SizeKey, sizeText);
            if (char.IsAsciiDigit(sizeText[^1]))
            {
                // Fix up legacy suffix-less format: -m 1024 means MiB.
                if (ram > ulong.MaxValue / QemuValues.MiB) throw new QemuException("too large 'size' option value");
                ram *= QemuValues.MiB;
            }
            if (ram == 0) ram = MachineOptions.DefaultRamSize;
            ram = MemoryLayout.RoundUp(ram, RamAlign);
        }
        ulong slots = 0;
        if (slotsText is not null && !ulong.TryParse(slotsText, NumberStyles.None, CultureInfo.InvariantCulture, out slots))
            throw new QemuException($"Parameter '{SlotsKey}' expects a number");
        ulong? max = null;
        if (maxText is not null)
        {
            var m = ParseOptionSize(MaxMemKey, maxText);
            if (m < ram)
                throw new QemuException($"invalid value of -m option maxmem: maximum memory size (0x{m:x}) must be at least the initial memory size (0x{ram:x})");
            if (m > ram && slots == 0)
                throw new QemuException("invalid value of -m option: maxmem was specified, but no hotplug slots were specified");
            max = m;
        }
        s.RamSize = ram;
        s.MaxRamSize = max;
        s.MemorySlots = slots;
    }

    /// <summary>parse_option_size (util/qemu-option.c).</summary>
    public static ulong ParseOptionSize(string name, string value)
    {
        const int ERange = -34;
        var rc = QemuValues.TryStrToSz(value, 'B', out var v);
        if (rc == ERange) throw new QemuException($"Value '{value}' is out of range for parameter '{name}'");
        if (rc != 0)
        {
            throw new QemuException($"Parameter '{name}' expects a non-negative number below 2^64\n"
                                    + "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.");
        }
        return v;
    }
}

/// <summary>-global DRIVER.PROP=VALUE or driver=D,property=P,value=V (qemu_global_option).</summary>
public static class GlobalLine
{
    public static GlobalProperty Parse(string arg)
    {
        var dot = arg.IndexOfAny(['.', '=']);
        if (dot > 0 && arg[dot] == '.')
        {
            var eq = arg.IndexOf('=', dot + 1);
            if (eq > dot + 1) return new GlobalProperty(arg[..dot], arg[(dot + 1)..eq], arg[(eq + 1)..]);
        }
        string? driver = null, property = null, value = null;
        foreach (var o in QemuOpts.Parse(arg, null))
        {
            switch (o.Name)
            {
                case "driver": driver = o.Value; break;
                case "property": property = o.Value; break;
                case "value": value = o.Value; break;
                default: throw new QemuException($"Invalid parameter '{o.Name}'");
            }
        }
        if (driver is null || property is null || value is null) throw new QemuException("No driver, property or value specified");
        return new GlobalProperty(driver, property, value);
    }
}

/// <summary>
/// <c>-fw_cfg [name=]NAME,string=TEXT</c> (vl.c parse_fw_cfg): a named fw_cfg file with the string's bytes (no NUL), such
/// as opt/ovmf/X-PciMmio64Mb. <c>file=</c> (host files) is not taken: scenarios stay self-contained.
/// </summary>
public static class FwCfgLine
{
    /// <summary>FW_CFG_MAX_FILE_PATH - 1.</summary>
    private const int MaxNameLength = 55;

    public static KeyValuePair<string, byte[]> Parse(string arg)
    {
        string? name = null, text = null;
        foreach (var o in QemuOpts.Parse(arg, "name"))
        {
            switch (o.Name)
            {
                case "name": name = o.Value; break;
                case "string": text = o.Value; break;
                case "file": throw new QemuException("-fw_cfg file= is not modelled (use string=)");
                default: throw new QemuException($"Invalid parameter '{o.Name}'");
            }
        }
        if (string.IsNullOrEmpty(name) || text is null) throw new QemuException("-fw_cfg: invalid argument (name= and string= are required)");
        if (name.Length > MaxNameLength) throw new QemuException($"name too long (max. {MaxNameLength} char)");
        return new(name, System.Text.Encoding.UTF8.GetBytes(text));
    }
}
