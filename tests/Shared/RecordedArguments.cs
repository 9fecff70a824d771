namespace PciEmu.Testing;

/// <summary>Turns a recorded QEMU command line (conformance firmware.json / linux.json qemu_argv) into pciemu arguments.</summary>
public static class RecordedArguments
{
    /// <summary>The topology part: -M, -m, -global, -cpu, -nodefaults and the -device lines (the ISA debug console dropped).</summary>
    public static IReadOnlyList<string> Topology(IReadOnlyList<string> argv)
    {
        var args = new List<string>();
        for (var i = 0; i < argv.Count; i++)
        {
            switch (argv[i])
            {
                case "-M" or "-m" or "-global" or "-cpu":
                    args.Add(argv[i]);
                    args.Add(argv[++i]);
                    break;
                case "-device":
                    if (!argv[i + 1].StartsWith("isa-", StringComparison.Ordinal)) args.AddRange(["-device", argv[i + 1]]);
                    i++;
                    break;
                case "-nodefaults":
                    args.Add(argv[i]);
                    break;
            }
        }
        return args;
    }
}
