using System.CommandLine;
using PciEmu.Scenarios.Topology;
using Spectre.Console;

namespace PciEmu.Cli;

/// <summary><c>pciemu test DIR</c>: runs every scenario file (*.pciemu) in a folder and reports pass/fail per file.</summary>
public static class TestCommand
{
    public const string Extension = ".pciemu";
    private const int ProgressThreshold = 20;

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("DIR") { Description = "folder of scenario files (*.pciemu), searched recursively" };
        var cmd = new Command("test", "Run a folder of scenario files and report pass/fail per file.") { dir };
        cmd.SetAction(parse => Run(parse.GetValue(dir)!, stdout, stderr));
        return cmd;
    }

    /// <summary>One file's outcome.</summary>
    public sealed record FileResult(string File, int ExitCode, string Message)
    {
        public string Verdict => ExitCode switch
        {
            ExitCodes.Ok => "PASS",
            ExitCodes.ExpectationFailed => "FAIL",
            ExitCodes.FirmwareFailure => "FIRMWARE",
            _ => "ERROR",
        };
    }

    public static int Run(string dir, TextWriter stdout, TextWriter stderr)
    {
        if (!Directory.Exists(dir)) throw new CliInputException(dir, $"{dir}: no such directory");
        var files = Directory.EnumerateFiles(dir, "*" + Extension, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new CliInputException(dir, $"{dir}: no scenario files (*{Extension})");
        var results = new List<FileResult>();
        var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && files.Length >= ProgressThreshold;
        if (interactive)
        {
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask("scenarios", maxValue: files.Length);
                foreach (var f in files)
                {
                    results.Add(RunOne(f));
                    task.Increment(1);
                }
            });
        }
        else
        {
            results.AddRange(files.Select(RunOne));
        }
        foreach (var r in results)
        {
            stdout.WriteLine($"{r.Verdict,-8} {Path.GetRelativePath(dir, r.File)}{(r.Message.Length > 0 ? "  " + r.Message : string.Empty)}");
        }
        var passed = results.Count(r => r.ExitCode == ExitCodes.Ok);
        stdout.WriteLine($"{passed} passed, {results.Count - passed} failed");
        return passed == results.Count ? ExitCodes.Ok : ExitCodes.ExpectationFailed;
    }

    private static FileResult RunOne(string file)
    {
        var err = new StringWriter();
        var output = new StringWriter();
        int code;
        try
        {
            code = RunCommand.Execute([file, "--emit", "hotplug"], output, err);
        }
        catch (TopologyException e)
        {
            return new FileResult(file, ExitCodes.BadInput, e.Display);
        }
        catch (CliInputException e)
        {
            return new FileResult(file, ExitCodes.BadInput, e.Message);
        }
        var failed = output.ToString().Split('\n').Where(l => l.Contains(": FAIL", StringComparison.Ordinal)).ToArray();
        var message = code switch
        {
            ExitCodes.ExpectationFailed => string.Join("; ", failed),
            ExitCodes.FirmwareFailure => err.ToString().Trim(),
            _ => string.Empty,
        };
        return new FileResult(file, code, message);
    }
}
