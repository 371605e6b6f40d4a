using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OptOutGate.Server.Configuration;

namespace OptOutGate.Server.Diagnostics.CallTimeline;

/// <summary>
/// Turns the call timeline on when <see cref="GateServerOptions.CallTimelinePath"/> is set: counting pipes on the gRPC
/// listener, the request middleware, the innermost interceptor, and the files written when the gate stops. Off, none
/// of it is in the pipeline.
/// </summary>
internal static class CallTimelineSetup
{
    /// <summary>The recorder, or null when the timeline is off.</summary>
    public static CallTimelineRecorder? Create(IServiceCollection services, GateServerOptions options)
    {
        if (string.IsNullOrEmpty(options.CallTimelinePath))
        {
            return null;
        }

        var recorder = new CallTimelineRecorder(options.CallTimelineCalls, options.CallTimelinePath);
        services.AddSingleton(recorder);
        services.AddSingleton<CallTimelineInterceptor>();

        // Registered after AddGrpc's own options, so it comes last: the innermost interceptor, next to the handler.
        services.Configure<GrpcServiceOptions>(static grpc => grpc.Interceptors.Add<CallTimelineInterceptor>());
        return recorder;
    }

    public static void UseOnListener(ListenOptions listen, CallTimelineRecorder? recorder)
    {
        if (recorder is not null)
        {
            listen.Use(next => TimelineTransport.Wrap(next, recorder));
        }
    }

    public static void UseInPipeline(WebApplication app, CallTimelineRecorder? recorder)
    {
        if (recorder is null)
        {
            return;
        }

        app.UseMiddleware<CallTimelineMiddleware>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CallTimelineSetup));
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            // A diagnostic that cannot be written must not turn a clean stop into a failed one: it is logged instead.
            try
            {
                recorder.Write();
                CallTimelineLog.Written(logger, Path.GetFullPath(recorder.Directory));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CallTimelineLog.NotWritten(logger, Path.GetFullPath(recorder.Directory), e.Message);
            }
        });
    }
}

internal static partial class CallTimelineLog
{
    [LoggerMessage(EventId = EventIds.Diagnostics + 1, EventName = "CallTimelineWritten", Level = LogLevel.Information, Message = "Call timeline written to {Directory}")]
    public static partial void Written(ILogger logger, string directory);

    [LoggerMessage(EventId = EventIds.Diagnostics + 2, EventName = "CallTimelineNotWritten", Level = LogLevel.Error, Message = "Call timeline could not be written to {Directory}: {Reason}")]
    public static partial void NotWritten(ILogger logger, string directory, string reason);
}
