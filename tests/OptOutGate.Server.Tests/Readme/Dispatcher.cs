using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;

// A namespace of its own, as in a user's code: inside OptOutGate.Server.*, "Gate" would name the server's Gate folder.
namespace Dispatching;

/// <summary>
/// The README's C# dispatcher ("Calling it"), compiled as it is printed: the lines between the two markers are the
/// README's code block, character for character (ReadmeDispatcherTests checks both), so the README cannot show code that
/// no longer compiles or no longer works.
/// </summary>
public static class Dispatcher
{
    /// <summary>Sends to each recipient the gate allows; returns those it sent to.</summary>
    public static async Task<List<string>> SendAllowedAsync(string address, string apiKey, IEnumerable<string> recipients)
    {
        var sent = new List<string>();
        void Send(string recipient) => sent.Add(recipient);

        // README dispatcher begins
        using var channel = GrpcChannel.ForAddress(address);   // "http://127.0.0.1:50051", or https:// with TLS
        var gate = new Gate.GateClient(channel);
        var request = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing };
        request.Recipients.Add(recipients);                     // up to 10,000 per call
        var answer = await gate.CheckBatchAsync(request,
            new Metadata { { "authorization", "Bearer " + apiKey } },
            deadline: DateTime.UtcNow.AddSeconds(2));
        for (var i = 0; i < answer.Verdicts.Count; i++)
        {
            if (answer.Verdicts[i] == Verdict.Allowed) Send(request.Recipients[i]);
        }
        // README dispatcher ends

        return sent;
    }
}
