using PciEmu.Os;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Running;

/// <summary>The run settings a scenario file or command line carries besides the topology.</summary>
public sealed class RunSettings
{
    public FirmwareKind Firmware { get; set; } = FirmwareKind.None;
    public KernelOptions? Kernel { get; set; }

    /// <summary>The EDK2 options of <c>firmware edk2[,version=…]</c>.</summary>
    public PciEmu.Firmware.Edk2.Edk2Options? Edk2 { get; set; }
}

/// <summary>
/// Registers the scenario-file / command-line options beyond QEMU's: <c>firmware seabios</c>,
/// <c>kernel linux[,opts]</c>, <c>setpci -s BDF OP…</c>, <c>expect hotplug ID ok|fails</c>,
/// <c>expect reg BDF REG [&amp; MASK] [== VALUE]</c>, <c>expect kernel-log|firmware-log TEXT</c> (each also as <c>-name</c> / <c>--name</c>).
/// A firmware takes options after its name (<c>hvmloader,version=4.5</c>; <see cref="FirmwareKind.Configure"/>).
/// </summary>
public static class ScenarioOptions
{
    public static TopologyParser CreateParser(RunSettings settings)
    {
        var p = new TopologyParser();
        foreach (var name in new[] { "firmware", "-firmware" })
        {
            p.AddOption(name, true, (s, a, t) =>
            {
                if (MachineKinds.IsHelpOption(a!)) throw new HelpRequestedException(FirmwareKinds.Help());
                var parts = a!.Split(',');
                var kind = FirmwareKinds.Find(parts[0])
                    ?? throw new TopologyException(t, $"unknown firmware '{a}' ({string.Join(" or ", FirmwareKinds.All.Select(k => k.Name))})");
                // NAME,key=value,...: the kind's own options (edk2's version=/debug= go to the request; others configure the kind).
                if (kind is Firmwares.Edk2.Edk2FirmwareKind) settings.Edk2 = Firmwares.Edk2.Edk2FirmwareKind.ParseOptions(parts, t);
                else foreach (var option in parts.Skip(1)) kind = kind.Configure(option, t);
                settings.Firmware = kind;
            });
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
