namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>A reflection request with the version's message types mapped away.</summary>
/// <param name="Name">The file name, symbol, or (for extensions) the containing type.</param>
internal readonly record struct ReflectionQuery(ReflectionQueryKind Kind, string Name, int ExtensionNumber = 0);
