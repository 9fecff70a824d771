using PciEmu.Os;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Running;

/// <summary>The run settings a scenario file or command line carries besides the topology.</summary>
public sealed class RunSettings
{
    public FirmwareKind Firmware { get; set; } = FirmwareKind.None;
    public PciEmu.Firmware.Hvmloader.HvmloaderVersion HvmloaderVersion { get; set; } = PciEmu.Firmware.Hvmloader.HvmloaderVersion.V4_20;
    public KernelOptions? Kernel { get; set; }
}

/// <summary>
/// Registers the scenario-file / command-line options beyond QEMU's: <c>firmware seabios</c>,
/// <c>kernel linux[,opts]</c>, <c>setpci -s BDF OP…</c>, <c>expect hotplug ID ok|fails</c>,
/// <c>expect reg BDF REG [&amp; MASK] [== VALUE]</c>, <c>expect kernel-log|firmware-log TEXT</c>, <c>xen KEY=VALUE</c> (each also as <c>-name</c> / <c>--name</c>).
/// </summary>
public static class ScenarioOptions
{
    public static TopologyParser CreateParser(RunSettings settings)
    {
        var p = new TopologyParser();
        foreach (var name in new[] { "firmware", "-firmware" })
        {
            p.AddOption(name, true, (s, a, t) => settings.Firmware = ParseFirmware(settings, a!, t));
        }
        foreach (var name in new[] { "kernel", "-kernel" })
        {
            p.AddOption(name, true, (s, a, t) =>
            {
                settings.Kernel = KernelSpec.Parse(a!);
            });
        }
        foreach (var name in new[] { "setpci", "-setpci" })
            p.AddOption(name, true, (s, a, t) => s.Steps.Add(SetpciStep.Parse(a!, t) with { Location = s.CurrentLocation }));
        foreach (var name in new[] { "expect", "-expect" })
            p.AddOption(name, true, (s, a, t) => s.Steps.Add(ParseExpect(a!, t) with { Location = s.CurrentLocation }));
        p.AddOption("-device-add", true, (s, a, t) => s.Steps.Add(new DeviceAddStep(DeviceLineParser.Parse(s, a!), t) { Location = s.CurrentLocation }));
        p.AddOption("-device-del", true, (s, a, t) =>
        {
            s.ReleaseDeviceId(a!);
            s.Steps.Add(new DeviceDelStep(a!, t) { Location = s.CurrentLocation });
        });
        return p;
    }

    /// <summary>seabios | none | hvmloader[,version=4.5|4.20].</summary>
    private static FirmwareKind ParseFirmware(RunSettings settings, string text, string token)
    {
        var parts = text.Split(',');
        switch (parts[0])
        {
            case "seabios" when parts.Length == 1: return FirmwareKind.SeaBios;
            case "none" when parts.Length == 1: return FirmwareKind.None;
            case "hvmloader":
                foreach (var opt in parts.Skip(1))
                {
                    settings.HvmloaderVersion = opt switch
                    {
                        "version=4.5" => PciEmu.Firmware.Hvmloader.HvmloaderVersion.V4_5,
                        "version=4.20" or "version=4.19" => PciEmu.Firmware.Hvmloader.HvmloaderVersion.V4_20,
                        _ => throw new TopologyException(token, $"hvmloader: unknown option '{opt}' (version=4.5 or version=4.20)"),
                    };
                }
                return FirmwareKind.Hvmloader;
            default:
                throw new TopologyException(token, $"unknown firmware '{text}' (seabios, hvmloader[,version=4.5|4.20] or none)");
        }
    }

    private static ScenarioStep ParseExpect(string text, string token)
    {
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 3 && words[0] == "hotplug")
        {
            return words[2] switch
            {
                "ok" => new ExpectHotplugStep(words[1], true, token),
                "fails" => new ExpectHotplugStep(words[1], false, token),
                _ => throw new TopologyException(token, $"expect hotplug: '{words[2]}' must be ok or fails"),
            };
        }
        if (words.Length >= 1 && words[0] == "reg") return ExpectRegisterStep.Parse(words, token);
        if (words.Length >= 2 && words[0] is "kernel-log" or "firmware-log")
            return new ExpectLogStep(words[0] == "kernel-log", text.TrimStart()[words[0].Length..].Trim(), token);
        throw new TopologyException(token, "expect: use 'expect hotplug ID ok|fails', 'expect reg BUS:DEV.FN REG [& MASK] [== VALUE]' or 'expect kernel-log|firmware-log TEXT'");
    }
}
