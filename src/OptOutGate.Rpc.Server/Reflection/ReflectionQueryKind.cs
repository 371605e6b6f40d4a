namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>The <c>message_request</c> cases of ServerReflectionRequest, common to v1 and v1alpha.</summary>
internal enum ReflectionQueryKind
{
    None,
    FileByFilename,
    FileContainingSymbol,
    FileContainingExtension,
    AllExtensionNumbersOfType,
    ListServices,
}
