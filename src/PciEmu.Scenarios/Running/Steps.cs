using System.Globalization;
using PciEmu.Core;
using PciEmu.Scenarios.Setpci;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Running;

/// <summary><c>setpci -s BDF OP…</c> after boot, through the kernel's accessor (or CF8/CFC / ECAM as the machine has it).</summary>
public sealed record SetpciStep(Bdf Target, IReadOnlyList<SetpciOperation> Operations, string Token) : ScenarioStep(Token), IRunnableStep
{
    public static SetpciStep Parse(string text, string token)
    {
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3 || words[0] != "-s")
            throw new TopologyException(token, "setpci: expected '-s BUS:DEV.FN REG[=VALUE]...'");
        if (!Bdf.TryParse(words[1], out var bdf)) throw new TopologyException(token, $"setpci: Unable to parse filter -s {words[1]}");
        var ops = new List<SetpciOperation>();
        foreach (var w in words.Skip(2))
        {
            try
            {
                ops.Add(SetpciOperation.Parse(w));
            }
            catch (SetpciException e)
            {
                throw new TopologyException(token, "setpci: " + e.Message, e);
            }
        }
        return new SetpciStep(bdf, ops, token);
    }

    public StepResult Run(ScenarioRunner runner)
    {
        var output = new List<string>();
        foreach (var op in Operations)
        {
            try
            {
                output.AddRange(op.Execute(runner.KernelAccessor, Target));
            }
            catch (SetpciException e)
            {
                throw new TopologyException(Token, "setpci: " + e.Message, e) { Location = Location };
            }
        }
        return new StepResult(this, $"setpci -s {Target} {string.Join(' ', Operations.Select(o => o.Text))}" + (output.Count > 0 ? " = " + string.Join(' ', output) : string.Empty))
        {
            Output = output,
        };
    }
}

/// <summary><c>expect hotplug ID ok|fails</c>: the verdict of the device_add that created ID.</summary>
public sealed record ExpectHotplugStep(string Id, bool ExpectOk, string Token) : ScenarioStep(Token), IRunnableStep
{
    public StepResult Run(ScenarioRunner runner)
    {
        var add = runner.Steps.LastOrDefault(s => s.Step is DeviceAddStep d && d.Device.Id == Id)
            ?? throw new TopologyException(Token, $"expect: no device_add with id '{Id}' before this line") { Location = Location };
        var ok = add.Verdict?.AllBarsAssigned
            ?? throw new TopologyException(Token, "expect hotplug needs a kernel (kernel linux) to judge the hot-plug") { Location = Location };
        var pass = ok == ExpectOk;
        return new StepResult(this, $"expect hotplug {Id} {(ExpectOk ? "ok" : "fails")}: {(pass ? "PASS" : $"FAIL (it {(ok ? "succeeded" : "failed")})")}") { Passed = pass };
    }
}

/// <summary><c>expect reg BDF REG [&amp; MASK] [== VALUE]</c>: with no VALUE the masked value must be non-zero.</summary>
public sealed record ExpectRegisterStep(Bdf Target, SetpciOperation Register, uint Mask, uint? Value, string Token) : ScenarioStep(Token), IRunnableStep
{
    public static ExpectRegisterStep Parse(string[] words, string token)
    {
        // words: reg BDF REG [& MASK] [== VALUE]
        if (words.Length < 3 || !Bdf.TryParse(words[1], out var bdf))
            throw new TopologyException(token, "expect reg: expected 'expect reg BUS:DEV.FN REG [& MASK] [== VALUE]'");
        SetpciOperation op;
        try
        {
            op = SetpciOperation.Parse(words[2]);
        }
        catch (SetpciException e)
        {
            throw new TopologyException(token, "expect reg: " + e.Message, e);
        }
        if (op.IsWrite) throw new TopologyException(token, "expect reg: the register must not have a value (use == VALUE)");
        var mask = uint.MaxValue;
        uint? value = null;
        for (var i = 3; i < words.Length; i += 2)
        {
            if (i + 1 >= words.Length) throw new TopologyException(token, $"expect reg: '{words[i]}' needs a number");
            var n = ParseNumber(words[i + 1], token);
            switch (words[i])
            {
                case "&": mask = n; break;
                case "==": value = n; break;
                default: throw new TopologyException(token, $"expect reg: unknown operator '{words[i]}' (use & or ==)");
            }
        }
        return new ExpectRegisterStep(bdf, op, mask, value, token);
    }

    private static uint ParseNumber(string s, string token)
    {
        var ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            : uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        return ok ? v : throw new TopologyException(token, $"expect reg: '{s}' is not a number");
    }

    public StepResult Run(ScenarioRunner runner)
    {
        string raw;
        try
        {
            raw = Register.Execute(runner.KernelAccessor, Target)[0];
        }
        catch (SetpciException e)
        {
            throw new TopologyException(Token, "expect reg: " + e.Message, e) { Location = Location };
        }
        var v = uint.Parse(raw, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) & Mask;
        var pass = Value is { } want ? v == want : v != 0;
        var what = Value is { } w2 ? $"== 0x{w2:x}" : "!= 0";
        return new StepResult(this, $"expect reg {Target} {Register.Text} & 0x{Mask:x} {what}: {(pass ? "PASS" : $"FAIL (read 0x{v:x})")}") { Passed = pass };
    }
}

/// <summary>
/// <c>expect kernel-log TEXT</c> / <c>expect firmware-log TEXT</c>: some line of the log so far contains TEXT (the kernel
/// log includes the hot-plug output of earlier steps; the firmware log is SeaBIOS's or hvmloader's).
/// </summary>
public sealed record ExpectLogStep(bool Kernel, string Text, string Token) : ScenarioStep(Token), IRunnableStep
{
    public StepResult Run(ScenarioRunner runner)
    {
        IEnumerable<string> lines = Kernel
            ? runner.Kernel?.Log.Lines ?? throw new TopologyException(Token, "expect kernel-log needs a kernel (kernel linux)") { Location = Location }
            : runner.FirmwareRun?.Log ?? throw new TopologyException(Token, "expect firmware-log needs a firmware") { Location = Location };
        var pass = lines.Any(l => l.Contains(Text, StringComparison.Ordinal));
        return new StepResult(this, $"expect {(Kernel ? "kernel" : "firmware")}-log \"{Text}\": {(pass ? "PASS" : "FAIL (no such line)")}") { Passed = pass };
    }
}
