using Google.Protobuf;
using OptOutGate.Rpc.Server.Reflection;
using Xunit;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace OptOutGate.Rpc.Tests.Reflection;

public sealed class ReflectionMapperTests
{
    [Fact]
    public void V1_maps_every_request_case()
    {
        Assert.Equal(new ReflectionQuery(ReflectionQueryKind.ListServices, "*"), ReflectionV1Mapper.ToQuery(new V1.ServerReflectionRequest { ListServices = "*" }));
        Assert.Equal(new ReflectionQuery(ReflectionQueryKind.FileByFilename, "a.proto"), ReflectionV1Mapper.ToQuery(new V1.ServerReflectionRequest { FileByFilename = "a.proto" }));
        Assert.Equal(new ReflectionQuery(ReflectionQueryKind.FileContainingSymbol, "a.B"), ReflectionV1Mapper.ToQuery(new V1.ServerReflectionRequest { FileContainingSymbol = "a.B" }));
        Assert.Equal(new ReflectionQuery(ReflectionQueryKind.AllExtensionNumbersOfType, "a.B"), ReflectionV1Mapper.ToQuery(new V1.ServerReflectionRequest { AllExtensionNumbersOfType = "a.B" }));
        Assert.Equal(
            new ReflectionQuery(ReflectionQueryKind.FileContainingExtension, "a.B", 7),
            ReflectionV1Mapper.ToQuery(new V1.ServerReflectionRequest { FileContainingExtension = new V1.ExtensionRequest { ContainingType = "a.B", ExtensionNumber = 7 } }));
        Assert.Equal(ReflectionQueryKind.None, ReflectionV1Mapper.ToQuery(new V1.ServerReflectionRequest()).Kind);
    }

    [Fact]
    public void V1_responses_echo_the_request_and_carry_the_answer()
    {
        var request = new V1.ServerReflectionRequest { Host = "h", FileContainingSymbol = "a.B" };

        var error = ReflectionV1Mapper.ToResponse(request, ReflectionAnswer.ForError(StatusCode.NotFound, "no"));
        var files = ReflectionV1Mapper.ToResponse(request, ReflectionAnswer.ForFiles([ByteString.CopyFromUtf8("x")]));
        var services = ReflectionV1Mapper.ToResponse(request, ReflectionAnswer.ForServices(["a.B"]));
        var numbers = ReflectionV1Mapper.ToResponse(request, ReflectionAnswer.ForExtensionNumbers("a.B", [1, 2]));

        Assert.Equal(request, error.OriginalRequest);
        Assert.Equal("h", error.ValidHost);
        Assert.Equal(5, error.ErrorResponse.ErrorCode);
        Assert.Equal("no", error.ErrorResponse.ErrorMessage);
        Assert.Equal("x", files.FileDescriptorResponse.FileDescriptorProto.Single().ToStringUtf8());
        Assert.Equal("a.B", services.ListServicesResponse.Service.Single().Name);
        Assert.Equal("a.B", numbers.AllExtensionNumbersResponse.BaseTypeName);
        Assert.Equal([1, 2], numbers.AllExtensionNumbersResponse.ExtensionNumber);
    }

    [Fact]
    public void V1Alpha_maps_like_v1()
    {
        var request = new V1Alpha.ServerReflectionRequest { FileContainingExtension = new V1Alpha.ExtensionRequest { ContainingType = "a.B", ExtensionNumber = 7 } };

        Assert.Equal(new ReflectionQuery(ReflectionQueryKind.FileContainingExtension, "a.B", 7), ReflectionV1AlphaMapper.ToQuery(request));
        var response = ReflectionV1AlphaMapper.ToResponse(request, ReflectionAnswer.ForServices(["a.B", "c.D"]));
        Assert.Equal(["a.B", "c.D"], response.ListServicesResponse.Service.Select(static s => s.Name));
        Assert.Equal(request, response.OriginalRequest);
    }
}
