namespace PciEmu.Devices;

/// <summary>A device refused to realize (QEMU's realize errp), with QEMU's message text.</summary>
public class DeviceRealizeException(string message) : Exception(message);

/// <summary>A property value QEMU's parser rejects, e.g. "Property 'pci-testdev.membar' doesn't take value 'abc'".</summary>
public class DevicePropertyException(string message) : Exception(message);

/// <summary>A property the driver does not have; the parser layer reports <see cref="Exception.Message"/> verbatim.</summary>
public sealed class PropertyNotFoundException(string driver, string property)
    : DevicePropertyException($"Property '{driver}.{property}' not found")
{
    public string Driver { get; } = driver;
    public string Property { get; } = property;
}

/// <summary>-device names a driver the catalogue does not know.</summary>
public sealed class UnknownDriverException(string driver) : Exception($"'{driver}' is not a valid device model name")
{
    public string Driver { get; } = driver;
}

/// <summary>QEMU aborts on an assertion (no clean error): the message is the assertion text QEMU prints.</summary>
public sealed class QemuAbortException(string message) : DeviceRealizeException(message);
