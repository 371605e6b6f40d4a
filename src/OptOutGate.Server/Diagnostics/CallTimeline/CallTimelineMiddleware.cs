using System.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace OptOutGate.Server.Diagnostics.CallTimeline;

/// <summary>
/// Times each HTTP/2 request from the pipeline's start to its end (the response written to Kestrel), with the
/// handler's own start and end marked by <see cref="CallTimelineInterceptor"/> in between.
/// </summary>
internal sealed class CallTimelineMiddleware(RequestDelegate next, CallTimelineRecorder recorder)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var stream = context.Features.Get<IHttp2StreamIdFeature>();
        if (stream is null)
        {
            await next(context);
            return;
        }

        var (pause, gen0) = (GC.GetTotalPauseDuration().Ticks, GC.CollectionCount(0));
        var mark = new HandlerMark();
        context.Features.Set(mark);
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var end = Stopwatch.GetTimestamp();
            recorder.Call(new CallTimelineRecorder.CallRecord(
                context.Connection.RemotePort,
                stream.StreamId,
                start,
                mark.Start,
                mark.End,
                end,
                pause,
                GC.GetTotalPauseDuration().Ticks,
                gen0,
                GC.CollectionCount(0)));
        }
    }
}

/// <summary>When a call's handler began and ended (0 when it did not run: the request failed before it).</summary>
internal sealed class HandlerMark
{
    public long Start { get; set; }

    public long End { get; set; }
}
