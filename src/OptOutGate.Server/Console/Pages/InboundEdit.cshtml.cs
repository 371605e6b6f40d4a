using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// One inbound address: keywords with their kinds, languages and modes, reply texts per language and app
/// (PutInboundAddress replaces the whole address), blocking rules per app by SMS type (Put/DeleteBlockingRule), and
/// deleting the address (DeleteInboundAddress).
/// </summary>
internal sealed class InboundEditModel : ConsolePage
{
    /// <summary>Blank rows offered under the existing keywords and reply texts for new ones.</summary>
    public const int BlankRows = 3;

    [FromQuery(Name = "sender")]
    public string Sender { get; set; } = "";

    public InboundAddress? Address { get; private set; }

    public List<BlockingRule> Rules { get; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostSaveAsync(string? description, string? defaultLanguage, List<KeywordRow>? keywords, List<ReplyRow>? replies)
    {
        await TryAsync(async () =>
        {
            var address = new InboundAddress { Sender = Sender, Description = description ?? "", DefaultLanguageCode = defaultLanguage?.Trim() ?? "" };
            foreach (var row in keywords ?? [])
            {
                if (!string.IsNullOrWhiteSpace(row.Text))
                {
                    address.Keywords.Add(new Keyword { Text = row.Text.Trim(), Kind = row.Kind, MatchMode = row.Mode, LanguageCode = row.Language?.Trim() ?? "", TenantWide = row.TenantWide });
                }
            }

            foreach (var row in replies ?? [])
            {
                if (!string.IsNullOrWhiteSpace(row.Language))
                {
                    address.ReplyTexts.Add(new ReplyText { LanguageCode = row.Language.Trim(), App = row.App?.Trim() ?? "", OptOutText = row.OptOut ?? "", OptInText = row.OptIn ?? "", HelpText = row.Help ?? "" });
                }
            }

            var saved = await Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = address });
            Notice = $"Saved {saved.Sender} (sequence {saved.UpdateSequence}).";
        });
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRuleAsync(string? app, List<SmsType>? blocked)
    {
        await TryAsync(async () =>
        {
            var rule = new BlockingRule { Sender = Sender, App = app?.Trim() ?? "" };
            rule.BlockedSmsTypes.AddRange(blocked ?? []);
            var saved = await Admin.PutBlockingRuleAsync(new PutBlockingRuleRequest { Rule = rule });
            Notice = $"Blocking rule for app '{saved.App}' saved.";
        });
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteRuleAsync(string? app)
    {
        await TryAsync(async () =>
        {
            await Admin.DeleteBlockingRuleAsync(new DeleteBlockingRuleRequest { Sender = Sender, App = app ?? "" });
            Notice = $"Blocking rule for app '{app}' deleted.";
        });
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        if (await TryAsync(() => Admin.DeleteInboundAddressAsync(new DeleteInboundAddressRequest { Sender = Sender }).ResponseAsync))
        {
            return Redirect("/console/inbound");
        }

        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        await TryAsync(async () => Address = await Admin.GetInboundAddressAsync(new GetInboundAddressRequest { Sender = Sender }));
        await TryAsync(async () =>
        {
            var page = await Admin.ListBlockingRulesAsync(new ListBlockingRulesRequest { Sender = Sender, PageSize = 1000 });
            Rules.AddRange(page.Rules);
        });
    }

    public sealed class KeywordRow
    {
        public string? Text { get; set; }

        public KeywordKind Kind { get; set; } = KeywordKind.OptOut;

        public MatchMode Mode { get; set; } = MatchMode.Exact;

        public string? Language { get; set; }

        public bool TenantWide { get; set; }
    }

    public sealed class ReplyRow
    {
        public string? Language { get; set; }

        public string? App { get; set; }

        public string? OptOut { get; set; }

        public string? OptIn { get; set; }

        public string? Help { get; set; }
    }
}
