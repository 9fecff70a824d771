using System.Globalization;
using PciEmu.Core;
using PciEmu.Os;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Advice;

/// <summary>The search's own state: what one run showed, a knob before its value is chosen, and a knob with its value.</summary>
public sealed partial class Advisor
{
    /// <summary>What one run showed.</summary>
    private sealed class Outcome
    {
        public int PlannedSteps { get; set; }
        public bool PlannedFound { get; set; } = true;
        public bool IsXen { get; init; }
        public string? FirmwareFailure { get; set; }
        public string? Refused { get; set; }
        public HashSet<Need> Needs { get; } = [];
        public Dictionary<Need, ulong> ShortBytes { get; } = [];
        public List<AdviceReason> Reasons { get; } = [];
        public List<List<string>> FailingPaths { get; } = [];
        public List<string> Summaries { get; } = [];
        public ulong WindowBytes { get; set; }
        public int BusNumbers { get; set; }

        public bool AllOk => FirmwareFailure is null && Refused is null && Needs.Count == 0 && PlannedSteps > 0;

        public ulong Shortfall(Need need) => ShortBytes.GetValueOrDefault(need);

        public static Outcome Rejected(string why) => new() { FirmwareFailure = why, PlannedFound = false };
    }

    /// <summary>A setting the advice can change, before its value is chosen.</summary>
    private sealed record Knob(string Where, string Name, Need Unit, bool Sized, ulong Granule, ulong Max, bool WithRealloc)
    {
        public static Knob Device(string id, string property, Need need) => need switch
        {
            Need.Bus => new Knob(id, property, need, true, 1, 254, false),
            Need.Io => new Knob(id, property, need, true, 4096, 64 * 1024, false),
            Need.Mem or Need.Pref32 => new Knob(id, property, need, true, MiB, 2UL << 30, false),
            _ => new Knob(id, property, need, true, MiB, 1UL << 40, false),
        };

        public static Knob Kernel(string parameter, Need need, bool withRealloc) => need switch
        {
            Need.Bus => new Knob("kernel", parameter, need, true, 1, 254, withRealloc),
            Need.Io => new Knob("kernel", parameter, need, true, 256, 64 * 1024, withRealloc),
            _ => new Knob("kernel", parameter, need, true, MiB, 1UL << 40, withRealloc),
        };

        public static Knob Realloc() => new("kernel", "realloc", Need.Mem, false, 1, 0, false);

        public static Knob MmioHole() => new("xen", "mmio_hole", Need.Mem, true, 256 * MiB, 3840 * MiB, false);

        /// <summary>The first value tried: the shortfall rounded up to the granule, at least one granule (and xl's minimum hole).</summary>
        public ulong Lower(ulong shortfall)
        {
            if (Name == "mmio_hole") return 512 * MiB;
            var v = Math.Max(Granule, (shortfall + Granule - 1) / Granule * Granule);
            return Unit == Need.Bus ? 1 : v;
        }

        public Candidate At(ulong value) => new(this, value);
    }

    /// <summary>A knob with its value.</summary>
    private sealed record Candidate(Knob Knob, ulong Value)
    {
        public bool SameKnob(Candidate other) => Knob.Where == other.Knob.Where && Knob.Name == other.Knob.Name;

        public bool SameKnob(Knob other) => Knob.Where == other.Where && Knob.Name == other.Name;

        public int Changes => Knob.WithRealloc ? 2 : 1;

        /// <summary>Address space a change reserves that the kernel's windows do not show (the Xen MMIO hole's growth).</summary>
        public ulong ExtraBytes => Knob.Name == "mmio_hole" ? Value - 256 * MiB : 0;

        private string ValueText => Knob.Unit == Need.Bus ? Value.ToString(CultureInfo.InvariantCulture)
            : Knob.Name == "mmio_hole" ? (Value / MiB).ToString(CultureInfo.InvariantCulture) : Size(Value);

        public IEnumerable<AdviceChange> ChangeList
        {
            get
            {
                if (Knob.WithRealloc) yield return new AdviceChange("kernel", "realloc", null);
                yield return new AdviceChange(Knob.Where, Knob.Name, Knob.Sized ? ValueText : null);
            }
        }

        public OptionList Apply(OptionList options)
        {
            var o = Knob.WithRealloc ? options.WithKernelOption("realloc", null) : options;
            return Knob.Where switch
            {
                "kernel" => Knob.Sized ? o.WithKernelOption(Knob.Name, ValueText) : o.WithKernelOption(Knob.Name, null),
                "xen" => o.WithXen(Knob.Name, ValueText),
                _ => o.WithDeviceProperty(Knob.Where, Knob.Name, ValueText),
            };
        }
    }
}
