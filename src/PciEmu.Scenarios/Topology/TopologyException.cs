namespace PciEmu.Scenarios.Topology;

/// <summary>
/// Bad topology input: the offending token (e.g. "-device pci-testdev,addr=3") and QEMU's message for it.
/// The CLI prints <see cref="Display"/> and exits 2.
/// </summary>
public sealed class TopologyException : Exception
{
    public TopologyException()
    {
        Token = string.Empty;
    }

    public TopologyException(string message) : base(message)
    {
        Token = string.Empty;
    }

    public TopologyException(string message, Exception inner) : base(message, inner)
    {
        Token = string.Empty;
    }

    public TopologyException(string token, string message, Exception? inner = null) : base(message, inner)
    {
        Token = token;
    }

    /// <summary>The option and argument QEMU would name, e.g. "-device e1000,addr=3".</summary>
    public string Token { get; }

    /// <summary>Where in a scenario file ("file:line"), if the input came from one.</summary>
    public string? Location { get; init; }

    /// <summary>The one line to print: [location: ]token: message, as QEMU prefixes its errors with the option.</summary>
    public string Display
    {
        get
        {
            var head = Location is null ? string.Empty : Location + ": ";
            return Token.Length == 0 ? head + Message : $"{head}{Token}: {Message}";
        }
    }
}

/// <summary>
/// A help option (<c>-M help</c>, <c>--firmware help</c>): QEMU prints the list and exits 0; the CLI prints
/// <see cref="Exception.Message"/> to stdout.
/// </summary>
public sealed class HelpRequestedException : Exception
{
    public HelpRequestedException()
    {
    }

    public HelpRequestedException(string text) : base(text)
    {
    }

    public HelpRequestedException(string text, Exception inner) : base(text, inner)
    {
    }
}
