using System.Buffers.Binary;

namespace OptOutGate.LoadTests.Http2;

/// <summary>The parts of RFC 9113 the direct client speaks: frame types, flags, settings and error codes.</summary>
internal static class Http2Protocol
{
    public const int FrameHeaderSize = 9;

    /// <summary>SETTINGS_MAX_FRAME_SIZE's initial value; this client never asks for larger frames.</summary>
    public const int DefaultMaxFrameSize = 16_384;

    public const int DefaultInitialWindowSize = 65_535;

    public const int MaxWindowSize = int.MaxValue;

    /// <summary>The client connection preface (RFC 9113 section 3.4).</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public enum FrameType : byte
    {
        Data = 0x0,
        Headers = 0x1,
        Priority = 0x2,
        RstStream = 0x3,
        Settings = 0x4,
        PushPromise = 0x5,
        Ping = 0x6,
        GoAway = 0x7,
        WindowUpdate = 0x8,
        Continuation = 0x9,
    }

    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;

    public const ushort SettingsHeaderTableSize = 0x1;
    public const ushort SettingsEnablePush = 0x2;
    public const ushort SettingsMaxConcurrentStreams = 0x3;
    public const ushort SettingsInitialWindowSize = 0x4;
    public const ushort SettingsMaxFrameSize = 0x5;

    public const uint ProtocolError = 0x1;
    public const uint FlowControlError = 0x3;
    public const uint FrameSizeError = 0x6;
    public const uint Cancel = 0x8;
    public const uint CompressionError = 0x9;
    public const uint EnhanceYourCalm = 0xb;

    public static void WriteFrameHeader(Span<byte> destination, int length, FrameType type, byte flags, int streamId)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = (byte)type;
        destination[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], streamId & int.MaxValue);
    }

    public static (int Length, FrameType Type, byte Flags, int StreamId) ReadFrameHeader(ReadOnlySpan<byte> source) =>
        ((source[0] << 16) | (source[1] << 8) | source[2], (FrameType)source[3], source[4], BinaryPrimitives.ReadInt32BigEndian(source[5..]) & int.MaxValue);
}
