using Google.Protobuf.Reflection;

namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>
/// What reflection can answer, built once from the served services' files and, recursively, their imports
/// (google/protobuf well-known types included): files by name, the file of every symbol, extensions by
/// extended type. The symbols are those of grpc C#'s SymbolRegistry: services, every method's full name (ghz
/// asks for <c>pkg.Service.Method</c>), messages and enums at any nesting depth.
/// </summary>
internal sealed class ReflectionIndex
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MessageDescriptor> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, int Number), FileDescriptor> _extensions = [];

    public ReflectionIndex(IEnumerable<ServiceDescriptor> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var names = new List<string>();
        foreach (var service in services)
        {
            if (!names.Contains(service.FullName))
            {
                names.Add(service.FullName);
            }

            AddFile(service.File);
        }

        ServiceNames = names;
    }

    /// <summary>Full names of the served services, in registration order, without duplicates.</summary>
    public IReadOnlyList<string> ServiceNames { get; }

    public bool TryGetFile(string fileName, out FileDescriptor file) => _files.TryGetValue(fileName, out file!);

    public bool TryGetFileContainingSymbol(string symbol, out FileDescriptor file) => _symbols.TryGetValue(symbol, out file!);

    public bool TryGetFileContainingExtension(string extendedType, int number, out FileDescriptor file)
        => _extensions.TryGetValue((extendedType, number), out file!);

    /// <summary>The extension numbers known for <paramref name="messageType"/> (empty for proto3 types); false for an unknown type.</summary>
    public bool TryGetExtensionNumbers(string messageType, out List<int> numbers)
    {
        numbers = [];
        if (!_messages.ContainsKey(messageType))
        {
            return false;
        }

        foreach (var key in _extensions.Keys)
        {
            if (key.Type == messageType)
            {
                numbers.Add(key.Number);
            }
        }

        numbers.Sort();
        return true;
    }

    private void AddFile(FileDescriptor file)
    {
        if (!_files.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var service in file.Services)
        {
            _symbols.TryAdd(service.FullName, file);
            foreach (var method in service.Methods)
            {
                _symbols.TryAdd(method.FullName, file);
            }
        }

        foreach (var message in file.MessageTypes)
        {
            AddMessage(message, file);
        }

        foreach (var enumType in file.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }

        AddExtensions(file.Extensions.UnorderedExtensions, file);
        foreach (var dependency in file.Dependencies)
        {
            AddFile(dependency);
        }
    }

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        _symbols.TryAdd(message.FullName, file);
        _messages.TryAdd(message.FullName, message);
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }

        foreach (var enumType in message.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }

        AddExtensions(message.Extensions.UnorderedExtensions, file);
    }

    private void AddExtensions(IList<FieldDescriptor> extensions, FileDescriptor file)
    {
        foreach (var extension in extensions)
        {
            _symbols.TryAdd(extension.FullName, file);
            _extensions.TryAdd((extension.ExtendeeType.FullName, extension.FieldNumber), file);
        }
    }
}
