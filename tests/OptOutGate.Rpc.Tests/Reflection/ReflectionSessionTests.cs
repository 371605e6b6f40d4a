using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using OptOutGate.Rpc.Server.Reflection;
using Xunit;

namespace OptOutGate.Rpc.Tests.Reflection;

public sealed class ReflectionSessionTests
{
    private static readonly ReflectionIndex s_index = new([TestDescriptors.ProbeService, HealthReflection.Descriptor.Services[0], TestDescriptors.ProbeService]);

    [Fact]
    public void ListServices_lists_each_service_once_in_registration_order()
    {
        var answer = new ReflectionSession(s_index).Answer(new(ReflectionQueryKind.ListServices, "*"));

        Assert.Equal(["test.reflect.Probe", "grpc.health.v1.Health"], answer.Services);
    }

    [Fact]
    public void FileByFilename_answers_the_file_first_then_its_transitive_imports()
    {
        var answer = new ReflectionSession(s_index).Answer(new(ReflectionQueryKind.FileByFilename, TestDescriptors.ServiceFile));

        Assert.Equal(
            [TestDescriptors.ServiceFile, "google/protobuf/timestamp.proto", "google/protobuf/empty.proto", TestDescriptors.ExtensionFile],
            Names(answer));
        Assert.Equal(TestDescriptors.Probe.SerializedData, answer.Files![0]);
    }

    [Fact]
    public void Imports_are_sent_once_per_stream_but_the_requested_file_always()
    {
        var session = new ReflectionSession(s_index);
        session.Answer(new(ReflectionQueryKind.FileByFilename, TestDescriptors.ServiceFile));

        Assert.Equal([TestDescriptors.ServiceFile], Names(session.Answer(new(ReflectionQueryKind.FileContainingSymbol, "test.reflect.Probe"))));
        Assert.Equal(["google/protobuf/empty.proto"], Names(session.Answer(new(ReflectionQueryKind.FileByFilename, "google/protobuf/empty.proto"))));
        Assert.Equal(4, Names(new ReflectionSession(s_index).Answer(new(ReflectionQueryKind.FileByFilename, TestDescriptors.ServiceFile))).Count);
    }

    [Theory]
    [InlineData("test.reflect.Probe", TestDescriptors.ServiceFile)]
    [InlineData("test.reflect.Probe.Ping", TestDescriptors.ServiceFile)]
    [InlineData("test.reflect.Outer", TestDescriptors.ServiceFile)]
    [InlineData("test.reflect.Outer.Inner", TestDescriptors.ServiceFile)]
    [InlineData("test.reflect.Outer.Kind", TestDescriptors.ServiceFile)]
    [InlineData("test.reflect.Mode", TestDescriptors.ServiceFile)]
    [InlineData("google.protobuf.Timestamp", "google/protobuf/timestamp.proto")]
    [InlineData("grpc.health.v1.Health.Watch", "grpc/health/v1/health.proto")]
    [InlineData("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto")]
    [InlineData("test.ext.tag", TestDescriptors.ExtensionFile)]
    public void FileContainingSymbol_finds_services_methods_messages_enums_and_extensions(string symbol, string file)
    {
        var answer = new ReflectionSession(s_index).Answer(new(ReflectionQueryKind.FileContainingSymbol, symbol));

        Assert.False(answer.IsError, answer.ErrorMessage);
        Assert.Equal(file, Names(answer)[0]);
    }

    [Theory]
    [InlineData("symbol", "test.reflect.Nope")]
    [InlineData("symbol", "test.reflect.Probe.Pong")]
    [InlineData("file", "nope.proto")]
    [InlineData("extensions", "test.reflect.Nope")]
    public void Unknown_names_answer_not_found(string kind, string name)
    {
        var query = kind switch
        {
            "symbol" => new ReflectionQuery(ReflectionQueryKind.FileContainingSymbol, name),
            "file" => new ReflectionQuery(ReflectionQueryKind.FileByFilename, name),
            _ => new ReflectionQuery(ReflectionQueryKind.AllExtensionNumbersOfType, name),
        };

        var answer = new ReflectionSession(s_index).Answer(query);

        Assert.True(answer.IsError);
        Assert.Equal(StatusCode.NotFound, answer.ErrorCode);
        Assert.Contains(name, answer.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Extensions_are_found_by_type_and_number()
    {
        var session = new ReflectionSession(s_index);

        Assert.Equal([TestDescriptors.ExtensionFile], Names(session.Answer(new(ReflectionQueryKind.FileContainingExtension, "test.ext.Base", 101))));
        Assert.Equal(StatusCode.NotFound, session.Answer(new(ReflectionQueryKind.FileContainingExtension, "test.ext.Base", 150)).ErrorCode);
        var numbers = session.Answer(new(ReflectionQueryKind.AllExtensionNumbersOfType, "test.ext.Base"));
        Assert.Equal("test.ext.Base", numbers.ExtendedType);
        Assert.Equal([100, 101], numbers.ExtensionNumbers);
    }

    [Fact]
    public void Proto3_type_has_no_extension_numbers()
    {
        var answer = new ReflectionSession(s_index).Answer(new(ReflectionQueryKind.AllExtensionNumbersOfType, "test.reflect.Outer"));

        Assert.False(answer.IsError);
        Assert.Empty(answer.ExtensionNumbers!);
    }

    [Fact]
    public void Request_without_a_case_is_invalid()
    {
        var answer = new ReflectionSession(s_index).Answer(new(ReflectionQueryKind.None, string.Empty));

        Assert.Equal(StatusCode.InvalidArgument, answer.ErrorCode);
    }

    private static List<string> Names(ReflectionAnswer answer)
    {
        Assert.False(answer.IsError, answer.ErrorMessage);
        return answer.Files!.Select(static bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name).ToList();
    }
}
