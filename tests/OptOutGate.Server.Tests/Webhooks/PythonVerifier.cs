using System.Text.Json;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>Checks signatures with tests/interop/python/verify_webhooks.py: Python's hmac, hashlib and base64, nothing of the gate's.</summary>
internal static class PythonVerifier
{
    public static async Task AssertVerifiesAsync(string secret, IEnumerable<ReceivedPost> posts)
    {
        var file = Path.GetTempFileName();
        try
        {
            var messages = posts.Select(p => new Dictionary<string, string>
            {
                ["secret"] = secret,
                ["id"] = p.Id,
                ["timestamp"] = p.Timestamp,
                ["signature"] = p.Signature,
                ["body_base64"] = Convert.ToBase64String(p.Body),
            }).ToList();
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(messages));
            var (exitCode, output) = await PythonScript.RunAsync("tests/interop/python/verify_webhooks.py", [file], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            Assert.Contains($"{messages.Count} of {messages.Count} verified", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
