namespace OptOutGate.Server.Tenancy;

/// <summary>
/// The command-line helpers for API keys, run instead of the server:
/// <c>new-key</c> prints a new random key and, on the next line, its configured hash;
/// <c>hash-key</c> reads a key from stdin (one line) and prints its configured hash.
/// </summary>
internal static class KeyCommands
{
    public static bool TryRun(string[] args, TextReader input, TextWriter output, TextWriter error, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(args);
        exitCode = 0;
        if (args.Length != 1 || args[0] is not ("new-key" or "hash-key"))
        {
            return false;
        }

        if (args[0] == "new-key")
        {
            var key = ApiKeyHash.NewKey();
            output.WriteLine(key);
            output.WriteLine(ApiKeyHash.ForConfiguration(key));
            return true;
        }

        // Only the line ending is dropped: the hash must be of exactly the characters a client will send.
        var line = input.ReadLine() ?? string.Empty;
        if (!ApiKeyHash.IsWellFormedKey(line))
        {
            error.WriteLine($"hash-key: a key is {ApiKeyHash.MinKeyLength}-{ApiKeyHash.MaxKeyLength} visible ASCII characters without spaces (read {line.Length}); 'new-key' makes one.");
            exitCode = 2;
            return true;
        }

        output.WriteLine(ApiKeyHash.ForConfiguration(line));
        return true;
    }
}
