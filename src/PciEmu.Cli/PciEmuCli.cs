using System.CommandLine;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Cli;

/// <summary>Exit codes of the pciemu command (../shared/DESIGN.md, "The CLI contract").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int ExpectationFailed = 1;
    public const int BadInput = 2;
    public const int FirmwareFailure = 3;
}

/// <summary>The pciemu command line: <c>pciemu</c> (demo), <c>pciemu run …</c>, <c>pciemu test DIR</c>.</summary>
public static class PciEmuCli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0) return Demo.Run(stdout);
            var root = BuildRoot(stdout, stderr);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) stderr.WriteLine($"pciemu: {e.Message}");
                return ExitCodes.BadInput;
            }
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (HelpRequestedException e)
        {
            stdout.Write(e.Message);
            return ExitCodes.Ok;
        }
        catch (CliInputException e)
        {
            stderr.WriteLine($"pciemu: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (TopologyException e)
        {
            stderr.WriteLine($"pciemu: {e.Display}");
            return ExitCodes.BadInput;
        }
    }

    private static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("PciEmu: PCI/PCIe configuration space, register-exact to QEMU 7.2, with SeaBIOS and a Linux-like enumerator. With no arguments, runs the demo.");
        root.Subcommands.Add(RunCommand.Build(stdout, stderr));
        root.Subcommands.Add(TestCommand.Build(stdout, stderr));
        root.Subcommands.Add(CheckCommand.Build(stdout, stderr));
        root.Subcommands.Add(SweepCommand.Build(stdout, stderr));
        root.Subcommands.Add(AdviseCommand.Build(stdout, stderr));
        root.Subcommands.Add(DiffCommand.Build(stdout, stderr));
        root.Subcommands.Add(new Command("demo", "Run the built-in hot-plug demo.") { Action = new DemoAction(stdout) });
        return root;
    }

    private sealed class DemoAction(TextWriter stdout) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) => Demo.Run(stdout);
    }
}
