using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>Inbound addresses: the list (ListInboundAddresses) and a new one (PutInboundAddress with the default keywords).</summary>
internal sealed class InboundModel : ConsolePage
{
    [FromQuery(Name = "page_token")]
    public string? PageToken { get; set; }

    public ListInboundAddressesResponse? List { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostAddAsync(string? sender, string? description, string? defaultLanguage)
    {
        if (await TryAsync(async () =>
            {
                var address = new InboundAddress { Sender = sender?.Trim() ?? "", Description = description ?? "" };
                if (!string.IsNullOrWhiteSpace(defaultLanguage))
                {
                    address.DefaultLanguageCode = defaultLanguage.Trim();
                }

                var created = await Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = address });
                Notice = $"Inbound address {created.Sender} saved (sequence {created.UpdateSequence}).";
            }))
        {
            return Redirect("/console/inbound/edit?sender=" + Uri.EscapeDataString(sender!.Trim()));
        }

        await LoadAsync();
        return Page();
    }

    private Task LoadAsync() =>
        TryAsync(async () => List = await Admin.ListInboundAddressesAsync(new ListInboundAddressesRequest { PageSize = 100, PageToken = PageToken ?? "" }));
}
