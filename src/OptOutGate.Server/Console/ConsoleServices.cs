using System.Security.Claims;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using OptOutGate.Server.WebConsole.Calls;
using OptOutGate.Server.WebConsole.Overview;
using OptOutGate.Server.WebConsole.Sessions;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Replication;

namespace OptOutGate.Server.WebConsole;

/// <summary>
/// The web console (README, "Web console"): Razor Pages rendered on the server, under <see cref="PathBase"/> on the
/// same listeners as the JSON/REST API (a browser reaches it on Gate:HttpPort). Sign-in with an API key, a cookie
/// session that names a server-side session (<see cref="ConsoleSessions"/>), antiforgery on every form, and every
/// read and write through the Admin handlers as the signed-in key (<see cref="ConsoleCallInvoker"/>).
/// </summary>
internal static class ConsoleServices
{
    public const string PathBase = "/console";
    public const string Scheme = "OptOutGateConsole";
    public const string SessionClaim = "console_session";
    private const string Policy = "console";

    public static IServiceCollection AddGateConsole(this IServiceCollection services, ReplicationOptions replication)
    {
        ArgumentNullException.ThrowIfNull(replication);
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsoleHandlers>();
        services.AddSingleton<MoRate>();
        services.AddSingleton<Import.ImportJobs>();
        services.AddSingleton(sp => Chain(sp, replication));

        // The cookie names a session; the key it was opened with stays in no cookie and no server memory. Sessions live
        // in this process, so its data-protection keys need not outlive it either.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();

        // Authentication and authorization run for the console's paths only (MapGateConsole).
        services.AddAuthentication(Scheme)
            .AddCookie(Scheme, static cookie =>
            {
                cookie.Cookie.Name = "OptOutGate.Console";
                cookie.Cookie.Path = PathBase;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = PathBase + "/signin";
                cookie.LogoutPath = PathBase + "/signout";
                cookie.AccessDeniedPath = PathBase + "/signin";
                cookie.ExpireTimeSpan = ConsoleSessions.IdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.Events.OnValidatePrincipal = ValidateSession;
            });
        services.AddAuthorization(static options => options.AddPolicy(Policy, static policy =>
            policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()));
        services.AddAntiforgery(static options =>
        {
            options.Cookie.Name = "OptOutGate.Console.Antiforgery";
            options.Cookie.Path = PathBase;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.AddRazorPages(static pages =>
            {
                pages.RootDirectory = "/Console/Pages";
                pages.Conventions.AuthorizeFolder("/", Policy);
                pages.Conventions.AllowAnonymousToPage("/SignIn");
            })
            .ConfigureApplicationPartManager(static parts =>
            {
                // The pages are compiled into this assembly, which is not the entry assembly when a test host builds the gate.
                parts.ApplicationParts.Clear();
                foreach (var part in new DefaultApplicationPartFactory().GetApplicationParts(typeof(ConsoleServices).Assembly))
                {
                    parts.ApplicationParts.Add(part);
                }

                foreach (var part in new CompiledRazorAssemblyApplicationPartFactory().GetApplicationParts(typeof(ConsoleServices).Assembly))
                {
                    parts.ApplicationParts.Add(part);
                }
            });
        return services;
    }

    public static void MapGateConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<MoRate>().Start();

        // The cookie and the policies are the console's alone: its paths get authentication and authorization in a
        // branch, and the application is marked as having both, so that WebApplication does not put them in front of
        // every gRPC, JSON and metrics request as it does when the services are registered (the keys are the ones
        // UseAuthentication and UseAuthorization set).
        app.UseWhen(static context => context.Request.Path.StartsWithSegments(PathBase), static console =>
        {
            console.UseAuthentication();
            console.UseAuthorization();
        });
        var properties = ((IApplicationBuilder)app).Properties;
        properties["__AuthenticationMiddlewareSet"] = true;
        properties["__AuthorizationMiddlewareSet"] = true;
        app.MapGet("/", static context =>
        {
            context.Response.Redirect(PathBase);
            return Task.CompletedTask;
        });
        app.MapGet(PathBase + "/console.css", ConsoleAssets.Css);
        app.MapRazorPages();
    }

    private static async Task ValidateSession(CookieValidatePrincipalContext context)
    {
        var sessions = context.HttpContext.RequestServices.GetRequiredService<ConsoleSessions>();
        var id = context.Principal?.FindFirstValue(SessionClaim);
        if (sessions.TryGet(id, out var identity))
        {
            context.HttpContext.Features.Set(new ConsoleUser(identity, id!));
            return;
        }

        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }

    /// <summary>The server's own chain for a console call, without call metrics (no RPC was served).</summary>
    private static ConsoleChain Chain(IServiceProvider services, ReplicationOptions replication)
    {
        var outer = new List<Interceptor>();
        if (replication.IsReplica)
        {
            outer.Add(services.GetRequiredService<ReplicaWriteInterceptor>());
        }

        outer.Add(services.GetRequiredService<ReadinessInterceptor>());
        return new ConsoleChain([.. outer], services.GetRequiredService<StatusMappingInterceptor>(), replication);
    }
}
