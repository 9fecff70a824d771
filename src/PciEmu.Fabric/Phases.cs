namespace PciEmu.Fabric;

/// <summary>Named phases drivers open and close so that cycles can be attributed ("seabios: pci_bios_check_devices").</summary>
public sealed class PhaseTracker
{
    private readonly List<string> _names = ["(none)"];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal) { ["(none)"] = 0 };
    private readonly Stack<int> _stack = new();

    /// <summary>The innermost open phase (0, "(none)", when none is open); a field, read on every bus cycle.</summary>
    public int Current { get; private set; }
    public IReadOnlyList<string> Names => _names;
    public string NameOf(int id) => (uint)id < (uint)_names.Count ? _names[id] : "?";

    public int IdOf(string name)
    {
        if (_ids.TryGetValue(name, out var id)) return id;
        id = _names.Count;
        _names.Add(name);
        _ids[name] = id;
        return id;
    }

    internal int Push(string name)
    {
        var id = IdOf(name);
        _stack.Push(id);
        Current = id;
        return id;
    }

    internal int Pop()
    {
        var id = _stack.Count == 0 ? 0 : _stack.Pop();
        Current = _stack.Count == 0 ? 0 : _stack.Peek();
        return id;
    }
}
