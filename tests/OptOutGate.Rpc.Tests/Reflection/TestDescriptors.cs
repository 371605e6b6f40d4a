using Google.Protobuf;
using Google.Protobuf.Reflection;
using EmptyReflection = Google.Protobuf.WellKnownTypes.EmptyReflection;
using TimestampReflection = Google.Protobuf.WellKnownTypes.TimestampReflection;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;
using Type = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace OptOutGate.Rpc.Tests.Reflection;

/// <summary>
/// Descriptors built at run time (no .proto in the test project): a proto3 service file that imports
/// well-known types and a proto2 file with an extension.
/// </summary>
internal static class TestDescriptors
{
    public const string ServiceFile = "test/reflect/probe.proto";
    public const string ExtensionFile = "test/reflect/ext.proto";

    private static readonly Lazy<IReadOnlyList<FileDescriptor>> s_files = new(Build);

    public static FileDescriptor Probe => s_files.Value[^1];

    public static ServiceDescriptor ProbeService => Probe.Services[0];

    private static IReadOnlyList<FileDescriptor> Build()
    {
        var extension = new FileDescriptorProto
        {
            Name = ExtensionFile,
            Package = "test.ext",
            Syntax = "proto2",
            MessageType = { new DescriptorProto { Name = "Base", ExtensionRange = { new DescriptorProto.Types.ExtensionRange { Start = 100, End = 200 } } } },
            Extension =
            {
                new FieldDescriptorProto { Name = "tag", Number = 101, Label = Label.Optional, Type = Type.String, Extendee = ".test.ext.Base", JsonName = "tag" },
                new FieldDescriptorProto { Name = "weight", Number = 100, Label = Label.Optional, Type = Type.Int32, Extendee = ".test.ext.Base", JsonName = "weight" },
            },
        };
        var probe = new FileDescriptorProto
        {
            Name = ServiceFile,
            Package = "test.reflect",
            Syntax = "proto3",
            Dependency = { "google/protobuf/timestamp.proto", "google/protobuf/empty.proto", ExtensionFile },
            MessageType =
            {
                new DescriptorProto
                {
                    Name = "Outer",
                    Field = { new FieldDescriptorProto { Name = "at", Number = 1, Label = Label.Optional, Type = Type.Message, TypeName = ".google.protobuf.Timestamp", JsonName = "at" } },
                    NestedType = { new DescriptorProto { Name = "Inner" } },
                    EnumType = { new EnumDescriptorProto { Name = "Kind", Value = { new EnumValueDescriptorProto { Name = "KIND_UNSPECIFIED", Number = 0 } } } },
                },
            },
            EnumType = { new EnumDescriptorProto { Name = "Mode", Value = { new EnumValueDescriptorProto { Name = "MODE_UNSPECIFIED", Number = 0 } } } },
            Service =
            {
                new ServiceDescriptorProto
                {
                    Name = "Probe",
                    Method = { new MethodDescriptorProto { Name = "Ping", InputType = ".google.protobuf.Empty", OutputType = ".test.reflect.Outer" } },
                },
            },
        };

        return FileDescriptor.BuildFromByteStrings(
        [
            TimestampReflection.Descriptor.SerializedData,
            EmptyReflection.Descriptor.SerializedData,
            extension.ToByteString(),
            probe.ToByteString(),
        ]);
    }
}
