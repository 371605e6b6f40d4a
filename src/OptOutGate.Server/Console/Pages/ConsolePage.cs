using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using GrpcCode = Grpc.Core.StatusCode;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OptOutGate.Server.WebConsole.Calls;
using OptOutGate.Server.WebConsole.Sessions;
using OptOutGate.Server.Tenancy;
using AdminClient = OptOutGate.Contracts.V1.Admin.AdminClient;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// What every console page shares: the signed-in key, the Admin client that runs as it, whether it may write (an
/// admin key, on a primary), and one way to show a call's failure: the status's own message, with the HTTP status
/// that status maps to.
/// </summary>
internal abstract class ConsolePage : PageModel
{
    private ConsoleCallInvoker? _invoker;

    public ConsoleUser Session => HttpContext.Features.Get<ConsoleUser>()
        ?? throw new InvalidOperationException("A console page ran without a session: the authorization convention did not run.");

    public CallIdentity Identity => Session.Identity;

    public ConsoleChain Chain => HttpContext.RequestServices.GetRequiredService<ConsoleChain>();

    public bool IsReplica => Chain.IsReplica;

    /// <summary>Write buttons show only for a key with the admin role on a primary; the server refuses the rest anyway.</summary>
    public bool CanWrite => Identity.HasAny(ApiRoles.Admin) && !IsReplica;

    /// <summary>Full numbers in lists only when asked for (?reveal=1).</summary>
    public bool Reveal => string.Equals(Request.Query["reveal"], "1", StringComparison.Ordinal);

    /// <summary>The last call's failure, as its status said it.</summary>
    public string? Error { get; private set; }

    /// <summary>What the last write did.</summary>
    public string? Notice { get; set; }

    internal ConsoleCallInvoker Invoker =>
        _invoker ??= new ConsoleCallInvoker(
            HttpContext.RequestServices.GetRequiredService<ConsoleHandlers>(), Chain.For(Identity), HttpContext);

    public AdminClient Admin => new(Invoker);

    /// <summary>A client for work that outlives this request (an import): the same key and chain, a request of its own.</summary>
    internal AdminClient DetachedAdmin() =>
        new(new ConsoleCallInvoker(HttpContext.RequestServices.GetRequiredService<ConsoleHandlers>(), Chain.For(Identity), new DefaultHttpContext()));

    /// <summary>Runs a call; a status other than OK becomes <see cref="Error"/> and the response's HTTP status.</summary>
    protected async Task<bool> TryAsync(Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call();
            return true;
        }
        catch (RpcException e)
        {
            Fail(e.Status);
            return false;
        }
    }

    internal void FailWith(Status status) => Fail(status);

    /// <summary>The page itself, for helpers outside the page class.</summary>
    internal new PageResult Page() => base.Page();

    /// <summary>The first failure of a request is the one shown (a write's refusal, not the list read after it).</summary>
    protected void Fail(Status status)
    {
        if (Error is not null)
        {
            return;
        }

        Error = string.IsNullOrEmpty(status.Detail) ? status.StatusCode.ToString() : status.Detail;
        Response.StatusCode = HttpStatusOf(status.StatusCode);
    }

    /// <summary>The HTTP status of a gRPC status, as gRPC JSON transcoding answers it (google.rpc's mapping).</summary>
    public static int HttpStatusOf(GrpcCode code) => code switch
    {
        GrpcCode.InvalidArgument or GrpcCode.FailedPrecondition or GrpcCode.OutOfRange => Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest,
        GrpcCode.Unauthenticated => Microsoft.AspNetCore.Http.StatusCodes.Status401Unauthorized,
        GrpcCode.PermissionDenied => Microsoft.AspNetCore.Http.StatusCodes.Status403Forbidden,
        GrpcCode.NotFound => Microsoft.AspNetCore.Http.StatusCodes.Status404NotFound,
        GrpcCode.AlreadyExists or GrpcCode.Aborted => Microsoft.AspNetCore.Http.StatusCodes.Status409Conflict,
        GrpcCode.ResourceExhausted => Microsoft.AspNetCore.Http.StatusCodes.Status429TooManyRequests,
        GrpcCode.Cancelled => 499,
        GrpcCode.Unimplemented => Microsoft.AspNetCore.Http.StatusCodes.Status501NotImplemented,
        GrpcCode.Unavailable => Microsoft.AspNetCore.Http.StatusCodes.Status503ServiceUnavailable,
        GrpcCode.DeadlineExceeded => Microsoft.AspNetCore.Http.StatusCodes.Status504GatewayTimeout,
        _ => Microsoft.AspNetCore.Http.StatusCodes.Status500InternalServerError,
    };

    /// <summary>"+1415•••4567": the country code and the last four digits, unless the page was asked to reveal numbers.</summary>
    public string Number(string recipient) => Reveal ? recipient : ConsoleText.Mask(recipient);

    public static string Time(Timestamp? time) => ConsoleText.Time(time);

    /// <summary>The current query with <paramref name="name"/> set to <paramref name="value"/> (null removes it): links that keep the filters.</summary>
    public string With(string name, string? value)
    {
        var query = Request.Query.ToDictionary(static q => q.Key, static q => q.Value.ToString(), StringComparer.Ordinal);
        if (value is null)
        {
            query.Remove(name);
        }
        else
        {
            query[name] = value;
        }

        return Request.Path + Microsoft.AspNetCore.Http.QueryString.Create(query!).ToUriComponent();
    }

    protected static Timestamp? ParseDate(string? text, bool endOfDay)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            throw new RpcException(new Status(GrpcCode.InvalidArgument, $"'{text}' is not a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ)."));
        }

        if (endOfDay && date.TimeOfDay == TimeSpan.Zero && !text.Contains('T', StringComparison.Ordinal))
        {
            date = date.AddDays(1);
        }

        return Timestamp.FromDateTime(DateTime.SpecifyKind(date, DateTimeKind.Utc));
    }
}
