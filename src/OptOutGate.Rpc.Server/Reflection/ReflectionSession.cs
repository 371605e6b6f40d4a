using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>
/// Answers the queries of one ServerReflectionInfo stream. File answers carry the file and its transitive imports,
/// each import once per stream (the reflection proto allows skipping files already sent); the requested file
/// itself is always included, since clients take the first file of the answer as the one they asked for.
/// </summary>
internal sealed class ReflectionSession
{
    private readonly ReflectionIndex _index;
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);

    public ReflectionSession(ReflectionIndex index)
    {
        _index = index;
    }

    public ReflectionAnswer Answer(in ReflectionQuery query) => query.Kind switch
    {
        ReflectionQueryKind.ListServices => ReflectionAnswer.ForServices(_index.ServiceNames),
        ReflectionQueryKind.FileByFilename => _index.TryGetFile(query.Name, out var file)
            ? FilesFrom(file)
            : NotFound($"File '{query.Name}' not found."),
        ReflectionQueryKind.FileContainingSymbol => _index.TryGetFileContainingSymbol(query.Name, out var file)
            ? FilesFrom(file)
            : NotFound($"Symbol '{query.Name}' not found."),
        ReflectionQueryKind.FileContainingExtension => _index.TryGetFileContainingExtension(query.Name, query.ExtensionNumber, out var file)
            ? FilesFrom(file)
            : NotFound($"Extension {query.ExtensionNumber} of type '{query.Name}' not found."),
        ReflectionQueryKind.AllExtensionNumbersOfType => _index.TryGetExtensionNumbers(query.Name, out var numbers)
            ? ReflectionAnswer.ForExtensionNumbers(query.Name, numbers)
            : NotFound($"Type '{query.Name}' not found."),
        _ => ReflectionAnswer.ForError(StatusCode.InvalidArgument, "The request sets none of the known message_request cases."),
    };

    private static ReflectionAnswer NotFound(string message) => ReflectionAnswer.ForError(StatusCode.NotFound, message);

    private ReflectionAnswer FilesFrom(FileDescriptor file)
    {
        var files = new List<ByteString>();
        _sent.Add(file.Name);
        files.Add(file.SerializedData);
        AddDependencies(file, files);
        return ReflectionAnswer.ForFiles(files);
    }

    private void AddDependencies(FileDescriptor file, List<ByteString> files)
    {
        foreach (var dependency in file.Dependencies)
        {
            if (_sent.Add(dependency.Name))
            {
                files.Add(dependency.SerializedData);
                AddDependencies(dependency, files);
            }
        }
    }
}
