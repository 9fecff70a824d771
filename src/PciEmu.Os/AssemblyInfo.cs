using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("PciEmu.Os.Tests")]
