using PciEmu.Scenarios.Generation;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Checking;

/// <summary>How one generated topology ended.</summary>
public enum SweepOutcome
{
    /// <summary>Firmware, kernel and hot-plug ran and every invariant holds.</summary>
    Ok,

    /// <summary>SeaBIOS panicked with one of its own out-of-space texts: an outcome, not a failure.</summary>
    FirmwarePanic,

    /// <summary>Only invariants the real QEMU + SeaBIOS + Linux stack breaks the same way are broken (reported, not a failure).</summary>
    KnownUpstream,

    /// <summary>An invariant is broken.</summary>
    Violation,

    /// <summary>The model rejected a topology the generator believes QEMU accepts (generator or model bug).</summary>
    Rejected,

    /// <summary>An exception escaped: never acceptable.</summary>
    Crash,
}

/// <summary>One topology's result; <see cref="Details"/> holds the panic text, violations or error.</summary>
public sealed record SweepCase(RandomTopology Topology, SweepOutcome Outcome, IReadOnlyList<string> Details)
{
    public bool IsFailure => Outcome is SweepOutcome.Violation or SweepOutcome.Rejected or SweepOutcome.Crash;

    /// <summary>True/false: the device_add step's verdict; null when there was none (or firmware panicked).</summary>
    public bool? HotplugOk { get; init; }

    /// <summary>The scenario file reproducing this case, its outcome and details as comments.</summary>
    public string ToScenarioText() => Topology.ToScenarioText([$"outcome: {Outcome}", .. Details]);
}

/// <summary>Runs generated topologies through firmware, kernel and a hot-plug, and checks the invariants.</summary>
public static class SweepRunner
{
    /// <summary>SeaBIOS 1.16.2's panic texts for address-space exhaustion (pci_bios_map_devices).</summary>
    public static readonly IReadOnlyList<string> SeaBiosOutOfSpacePanics = ["PCI: out of I/O address space", "PCI: out of 32bit address space"];

    public static SweepCase RunOne(int seed) => Run(RandomTopologyGenerator.Generate(seed));

    public static SweepCase Run(RandomTopology topology)
    {
        try
        {
            var settings = new RunSettings();
            var scenario = ScenarioOptions.CreateParser(settings).ParseText(topology.ToScenarioText(), $"seed-{topology.Seed}");
            var runner = ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Kernel = settings.Kernel });
            if (runner.FirmwareFailed)
            {
                var text = runner.Firmware!.Outcome.Message?.TrimEnd('\n') ?? string.Empty;
                return SeaBiosOutOfSpacePanics.Contains(text)
                    ? new SweepCase(topology, SweepOutcome.FirmwarePanic, [text])
                    : new SweepCase(topology, SweepOutcome.Crash, [$"unexpected firmware panic text: {text}"]);
            }
            var hotplug = runner.Steps.Select(s => s.Verdict).LastOrDefault(v => v is not null);
            var violations = InvariantChecker.Check(runner);
            var outcome = violations.Count == 0 ? SweepOutcome.Ok
                : InvariantChecker.Failures(violations).Count == 0 ? SweepOutcome.KnownUpstream : SweepOutcome.Violation;
            return new SweepCase(topology, outcome, [.. violations.OrderBy(v => v.IsKnown).Select(v => v.ToString())])
            {
                HotplugOk = hotplug?.AllBarsAssigned,
            };
        }
        catch (TopologyException e)
        {
            return new SweepCase(topology, SweepOutcome.Rejected, [e.Display]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var at = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? string.Empty;
            return new SweepCase(topology, SweepOutcome.Crash, [$"{e.GetType().Name}: {e.Message} {at}"]);
        }
    }
}
