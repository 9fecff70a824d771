namespace PciEmu.Cli;

public static class Program
{
    public static int Main(string[] args) => PciEmuCli.Run(args, Console.Out, Console.Error);
}
