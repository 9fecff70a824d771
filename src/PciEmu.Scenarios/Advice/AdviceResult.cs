namespace PciEmu.Scenarios.Advice;

/// <summary>The kind of room a planned hot-plug lacked.</summary>
public enum Need
{
    /// <summary>32-bit non-prefetchable memory.</summary>
    Mem,

    /// <summary>32-bit prefetchable memory.</summary>
    Pref32,

    /// <summary>64-bit prefetchable memory.</summary>
    Pref64,

    /// <summary>I/O ports.</summary>
    Io,

    /// <summary>Bus numbers (the new function was not found at all).</summary>
    Bus,
}

/// <summary>One change the advice makes: a device property, a kernel parameter or an xl.cfg key.</summary>
public sealed record AdviceChange(string Where, string Name, string? Value)
{
    /// <summary>How the change reads in the advice: "-device rp1: pref64-reserve=8M", "kernel: pci=hpmmiosize=8M".</summary>
    public override string ToString() => Where switch
    {
        "kernel" => "kernel: pci=" + (Value is null ? Name : Name + "=" + Value),
        "xen" => $"--xen {Name}={Value}",
        _ => $"-device id={Where}: {Name}={Value}",
    };
}

/// <summary>Why a planned hot-plug failed: a BAR that did not fit, the window it had to fit in, and the shortfall.</summary>
public sealed record AdviceReason(string Step, Need Need, string Text);

/// <summary>The whole answer of <c>pciemu advise</c>.</summary>
public sealed record AdviceResult
{
    /// <summary>Every planned hot-plug already succeeds without a change.</summary>
    public bool NothingToDo { get; init; }

    /// <summary>A change was found and verified by rerunning.</summary>
    public bool Found { get; init; }

    /// <summary>Why the planned hot-plugs failed before the change (one per unassigned BAR or missing function).</summary>
    public IReadOnlyList<AdviceReason> Reasons { get; init; } = [];

    /// <summary>The changes, in the order they apply.</summary>
    public IReadOnlyList<AdviceChange> Changes { get; init; } = [];

    /// <summary>Address space the change reserves beyond the original boot (sum of the kernel's bridge windows, bytes).</summary>
    public ulong ReservedBytes { get; init; }

    /// <summary>Bus numbers the change reserves beyond the original boot.</summary>
    public int ReservedBuses { get; init; }

    /// <summary>The amended topology (all options, for rerunning).</summary>
    public required OptionList Options { get; init; }

    /// <summary>The hot-plug step summaries of the verifying run (or of the original run when nothing was found).</summary>
    public IReadOnlyList<string> Verification { get; init; } = [];

    /// <summary>Why no change can work, when <see cref="Found"/> and <see cref="NothingToDo"/> are false.</summary>
    public string? Impossible { get; init; }

    /// <summary>The kernel parameters of the advice, one per line (none when the advice is device properties only).</summary>
    public IReadOnlyList<string> KernelArguments { get; init; } = [];
}
