namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// SeaBIOS's 32-bit POST stack, as far as the one unbounded recursion of pciinit (pci_bios_init_bus_rec) uses it.
/// POST runs on the stack ENTRY_INTO32 sets up (romlayout.S entry_post → handle_post): esp = BUILD_STACK_ADDR
/// (0x7000, src/config.h), growing down towards the IVT and BDA at 0. Nothing checks it: when a bridge loop makes
/// pci_bios_init_bus_rec recurse without end, the frames run through 0, the stack wraps into the read-only BIOS
/// ROM at the top of 4 GiB, and the first <c>ret</c> from there jumps to garbage — the debug log simply stops.
/// <para>
/// The depth is derived from the one recording of this class (conformance/random/fw-010, see docs/seabios-port.md):
/// its log stops inside the entry dprintf of the 984th nested pci_bios_init_bus_rec, so 983 levels plus the frames
/// below (handle_post … pci_bios_init_bus) and a dprintf chain fit and 984 do not. With the stack 4-byte aligned
/// (-mpreferred-stack-boundary=2) a frame costs a multiple of 4 bytes and at most 0x7000 / 984 = 29.1, so 28 bytes
/// (return address, four callee-saved registers, two locals); the rest of the stack in use is then
/// 0x7000 − 984·28 &lt; other ≤ 0x7000 − 983·28, i.e. 1121…1148 bytes; <see cref="OtherUse"/> takes the upper end.
/// </para>
/// </summary>
internal sealed class SeaBiosStack
{
    /// <summary>BUILD_STACK_ADDR (src/config.h): the top of the POST stack; it grows down to 0.</summary>
    public const int StackSize = 0x7000;

    /// <summary>Bytes one pci_bios_init_bus_rec frame takes (derivation above).</summary>
    public const int BusRecFrame = 28;

    /// <summary>Bytes in use besides the pci_bios_init_bus_rec frames when the deepest one prints (derivation above).</summary>
    public const int OtherUse = 1148;

    /// <summary>Nested pci_bios_init_bus_rec calls that fit: (0x7000 − 1148) / 28 = 983.</summary>
    public const int MaxBusRecLevels = (StackSize - OtherUse) / BusRecFrame;

    public int BusRecDepth { get; private set; }

    /// <summary>The call of one more pci_bios_init_bus_rec level; dispose on return.</summary>
    public Frame EnterBusRec()
    {
        BusRecDepth++;
        return new Frame(this);
    }

    /// <summary>True when the current level's frame and its first dprintf do not fit: the CPU dies in that dprintf.</summary>
    public bool Overflowed => BusRecDepth > MaxBusRecLevels;

    /// <summary>Pops a level on dispose.</summary>
    public readonly struct Frame(SeaBiosStack stack) : IDisposable
    {
        public void Dispose() => stack.BusRecDepth--;
    }
}

/// <summary>SeaBIOS never finishes (its stack overflowed, or it loops forever): nothing after this point runs, the log stops.</summary>
internal sealed class SeaBiosHangException(string message) : Exception(message);

/// <summary>
/// Bookkeeping beside pci_bios_init_bus_rec (no upstream counterpart, no config cycles): the recursion path, the
/// first bridge handed a secondary bus already on its own path, and the bridges whose subordinate bus rewound the
/// counter — so a stack overflow can name the loop and the bridges that cause it.
/// </summary>
internal sealed class BusLoopTracker
{
    private readonly List<(int Bridge, int Bus)> _path = [];
    private readonly List<string> _rewinds = [];
    private string? _closer;

    /// <summary>Every rewind of the bus counter (a bridge's reservation set it below the buses already numbered).</summary>
    public List<string> AllRewinds { get; } = [];

    private const int MaxRecorded = 8;
    private const int MaxListedBridges = 8;

    /// <summary>A root bus pci_bios_init_bus starts from.</summary>
    public void Root(int bus)
    {
        _path.Clear();
        _path.Add((-1, bus));
    }

    public void Push(int bridge, int secbus) => _path.Add((bridge, secbus));

    public void Pop() => _path.RemoveAt(_path.Count - 1);

    /// <summary>The bridge at <paramref name="bdf"/> is about to get <paramref name="secbus"/> as its secondary bus.</summary>
    public void Secondary(int bdf, byte secbus)
    {
        if (_closer is not null) return;
        var at = _path.FindIndex(p => p.Bus == secbus);
        if (at < 0) return;
        var loop = _path.Skip(at).Where(p => p.Bridge >= 0).Select(p => DebugLog.Pp((ushort)p.Bridge)).Append(DebugLog.Pp((ushort)bdf)).ToList();
        if (loop.Count > MaxListedBridges)
            loop = [.. loop.Take(MaxListedBridges / 2), $"… {loop.Count - MaxListedBridges} more …", .. loop.TakeLast(MaxListedBridges / 2)];
        _closer = $"bridge {DebugLog.Pp((ushort)bdf)} was given secondary bus 0x{secbus:x}, a bus already on its own path " +
                  $"(bridges {string.Join(" → ", loop)} → bus 0x{secbus:x} again)";
    }

    /// <summary>The bridge at <paramref name="bdf"/> set its subordinate bus (and the counter) from <paramref name="counter"/> to <paramref name="subbus"/>.</summary>
    public void Subordinate(int bdf, byte counter, byte subbus)
    {
        if (subbus >= counter) return;
        var text = $"bridge {DebugLog.Pp((ushort)bdf)}'s QEMU bus reservation set its subordinate bus to 0x{subbus:x} and rewound the bus counter from 0x{counter:x}";
        if (AllRewinds.Count < MaxRecorded) AllRewinds.Add(text);
        if (_closer is null && _rewinds.Count < MaxRecorded) _rewinds.Add(text);
    }

    /// <summary>The firmware-failure message.</summary>
    public string Describe(int depth)
    {
        var cause = _closer is null ? "the bus numbering never ends"
            : $"the bus numbering loops: {_closer}" + (_rewinds.Count == 0 ? string.Empty : $", after {string.Join("; ", _rewinds)}");
        return $"SeaBIOS died: pci_bios_init_bus_rec recursed {depth} levels deep and overflowed its " +
               $"0x{SeaBiosStack.StackSize:x}-byte stack; {cause}";
    }
}
