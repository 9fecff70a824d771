using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Checking;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Setpci;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Robustness.Tests;

/// <summary>Boots scenario text with SeaBIOS + Linux and pokes config space like a guest would (setpci steps).</summary>
internal static class CheckerHarness
{
    public static ScenarioRunner Boot(string text, bool kernel = true)
    {
        var settings = new RunSettings { Firmware = FirmwareKind.SeaBios, Kernel = kernel ? new PciEmu.Os.KernelOptions() : null };
        var scenario = ScenarioOptions.CreateParser(settings).ParseText(text, "test");
        return ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Kernel = settings.Kernel });
    }

    public static void Setpci(ScenarioRunner runner, string command) => runner.RunSteps([SetpciStep.Parse(command, "setpci " + command)]);

    public static IReadOnlyList<InvariantViolation> Check(ScenarioRunner runner) => InvariantChecker.Check(runner);

    public static FunctionSnapshot Function(ScenarioRunner runner, string bdf)
    {
        var b = Bdf.Parse(bdf);
        return runner.Machine.Snapshot().Find(b.Bus, b.DevFn) ?? throw new InvalidOperationException($"no function at {bdf}");
    }

    public static PciRegion Bar(ScenarioRunner runner, string bdf, int index) => Function(runner, bdf).Regions().Single(r => r.Bar == index);
}
