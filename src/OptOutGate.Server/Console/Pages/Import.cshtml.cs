using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.WebConsole.Import;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// Import: upload a list, see the dry run's diff (ImportOptOutsWithDiff with dry_run), then apply it and follow its
/// progress (the page reloads itself every second while the import runs; no script).
/// </summary>
internal sealed class ImportModel(ImportJobs jobs) : ConsolePage
{
    [FromQuery(Name = "job")]
    public string? JobId { get; set; }

    public ImportJob? Job { get; private set; }

    public void OnGet()
    {
        Job = jobs.Find(JobId, Session.SessionId);
        if (JobId is not null && Job is null)
        {
            Fail(new global::Grpc.Core.Status(global::Grpc.Core.StatusCode.NotFound, "No such upload in this session (uploads live until the gate restarts or newer ones replace them)."));
        }
    }

    public async Task<IActionResult> OnPostPreviewAsync(IFormFile? file, Scope scope, string? sender, string? app, string? reason, string? sourceName)
    {
        if (file is null || file.Length == 0)
        {
            Fail(new global::Grpc.Core.Status(global::Grpc.Core.StatusCode.InvalidArgument, "Choose a file to upload: one number a line, or CSV with recipient, sender, app, event_time."));
            return Page();
        }

        List<ImportLine> lines;
        string? problem;
        using (var reader = new StreamReader(file.OpenReadStream()))
        {
            lines = ImportFile.Parse(reader, out problem);
        }

        if (problem is not null)
        {
            Fail(new global::Grpc.Core.Status(global::Grpc.Core.StatusCode.InvalidArgument, problem));
            return Page();
        }

        var options = new ImportOptions
        {
            Scope = scope, Sender = sender?.Trim() ?? "", App = app?.Trim() ?? "", Reason = reason ?? "",
            SourceName = string.IsNullOrWhiteSpace(sourceName) ? file.FileName : sourceName.Trim(),
        };
        var job = jobs.Add(Session.SessionId, options, lines);
        if (!await TryAsync(() => job.DryRunAsync(Admin, HttpContext.RequestAborted)))
        {
            return Page();
        }

        return Redirect("/console/import?job=" + job.Id);
    }

    public IActionResult OnPostApply(string? job)
    {
        var found = jobs.Find(job, Session.SessionId);
        if (found is null)
        {
            Fail(new global::Grpc.Core.Status(global::Grpc.Core.StatusCode.NotFound, "No such upload in this session."));
            return Page();
        }

        if (!found.Started)
        {
            found.Start(DetachedAdmin());
        }

        return Redirect("/console/import?job=" + found.Id);
    }
}
