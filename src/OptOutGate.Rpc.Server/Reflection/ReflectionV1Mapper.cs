using Grpc.Reflection.V1;

namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>grpc.reflection.v1 messages to and from the version-neutral query and answer.</summary>
internal static class ReflectionV1Mapper
{
    public static ReflectionQuery ToQuery(ServerReflectionRequest request) => request.MessageRequestCase switch
    {
        ServerReflectionRequest.MessageRequestOneofCase.FileByFilename => new(ReflectionQueryKind.FileByFilename, request.FileByFilename),
        ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol => new(ReflectionQueryKind.FileContainingSymbol, request.FileContainingSymbol),
        ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension => new(
            ReflectionQueryKind.FileContainingExtension, request.FileContainingExtension.ContainingType, request.FileContainingExtension.ExtensionNumber),
        ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType => new(ReflectionQueryKind.AllExtensionNumbersOfType, request.AllExtensionNumbersOfType),
        ServerReflectionRequest.MessageRequestOneofCase.ListServices => new(ReflectionQueryKind.ListServices, request.ListServices),
        _ => new(ReflectionQueryKind.None, string.Empty),
    };

    public static ServerReflectionResponse ToResponse(ServerReflectionRequest request, ReflectionAnswer answer)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        if (answer.IsError)
        {
            response.ErrorResponse = new ErrorResponse { ErrorCode = (int)answer.ErrorCode, ErrorMessage = answer.ErrorMessage };
        }
        else if (answer.Files is { } files)
        {
            response.FileDescriptorResponse = new FileDescriptorResponse { FileDescriptorProto = { files } };
        }
        else if (answer.Services is { } services)
        {
            var list = new ListServiceResponse();
            foreach (var name in services)
            {
                list.Service.Add(new ServiceResponse { Name = name });
            }

            response.ListServicesResponse = list;
        }
        else
        {
            response.AllExtensionNumbersResponse = new ExtensionNumberResponse
            {
                BaseTypeName = answer.ExtendedType,
                ExtensionNumber = { answer.ExtensionNumbers! },
            };
        }

        return response;
    }
}
