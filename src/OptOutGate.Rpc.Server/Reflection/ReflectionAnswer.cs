using Google.Protobuf;

namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>
/// A reflection response with the version's message types mapped away: exactly one of files, extension numbers,
/// services or an error is set.
/// </summary>
internal sealed class ReflectionAnswer
{
    private ReflectionAnswer()
    {
    }

    /// <summary>Serialized FileDescriptorProtos, the requested file first.</summary>
    public IReadOnlyList<ByteString>? Files { get; private init; }

    public string? ExtendedType { get; private init; }

    public IReadOnlyList<int>? ExtensionNumbers { get; private init; }

    public IReadOnlyList<string>? Services { get; private init; }

    public StatusCode ErrorCode { get; private init; }

    public string? ErrorMessage { get; private init; }

    public bool IsError => ErrorMessage is not null;

    public static ReflectionAnswer ForFiles(IReadOnlyList<ByteString> files) => new() { Files = files };

    public static ReflectionAnswer ForExtensionNumbers(string type, IReadOnlyList<int> numbers) => new() { ExtendedType = type, ExtensionNumbers = numbers };

    public static ReflectionAnswer ForServices(IReadOnlyList<string> services) => new() { Services = services };

    public static ReflectionAnswer ForError(StatusCode code, string message) => new() { ErrorCode = code, ErrorMessage = message };
}
