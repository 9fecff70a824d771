namespace PciEmu.Cli;

/// <summary>One <c>--emit KIND[=FILE]</c>: what to print and where (stdout when <see cref="File"/> is null).</summary>
public sealed record EmitSpec(string Kind, string? File)
{
    public static readonly IReadOnlyList<string> Kinds =
    [
        "tree", "lspci", "lspci-vvv", "lspci-dump", "query-pci", "info-pci", "firmware-log", "e820",
        "kernel-log", "iomem", "ioports", "hotplug", "trace", "profile", "profile-svg", "cycles",
    ];

    public static EmitSpec Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var kind = eq < 0 ? text : text[..eq];
        var file = eq < 0 ? null : text[(eq + 1)..];
        if (!Kinds.Contains(kind))
            throw new CliInputException(text, $"--emit: unknown kind '{kind}' (kinds: {string.Join(", ", Kinds)})");
        if (file is { Length: 0 }) throw new CliInputException(text, $"--emit {kind}=: missing file name");
        if (kind == "profile-svg" && file is null) throw new CliInputException(text, "--emit profile-svg needs a file: --emit profile-svg=FILE");
        return new EmitSpec(kind, file);
    }
}

/// <summary>Bad command-line input: printed as one message naming the token, exit code 2.</summary>
public sealed class CliInputException(string token, string message) : Exception(message)
{
    public string Token { get; } = token;
}
