namespace OptOutGate.LoadTests.Mo;

/// <summary>
/// A realistic mix of inbound texts: about 5 % opt-out (STOP and its many spellings), 2 % opt-in, 1 % help, the rest
/// ordinary replies without any keyword (no AMBIGUOUS ones, which would fill the review queue).
/// </summary>
internal static class MoTexts
{
    public static readonly string[] OptOut =
    [
        "STOP", "Stop", "stop", "Stop.", "STOP please", "stop texting me", "UNSUBSCRIBE", "Unsubscribe me", "CANCEL",
        "END", "QUIT", "opt-out", "OPT OUT", "STOP😡", "Please stop", "REMOVE ME", "ARRÊT", "BAJA",
    ];

    public static readonly string[] OptIn = ["START", "Start", "UNSTOP", "SUBSCRIBE", "RESUME"];

    public static readonly string[] Help = ["HELP", "Help", "help me", "INFO", "AYUDA"];

    public static readonly string[] Plain =
    [
        "Thanks!", "ok", "Yes", "No", "See you at 5", "Who is this?", "Great, thank you", "Can I reschedule?",
        "Where is my package", "👍", "Is the store open today?", "Received", "Call me back please", "Perfect",
        "What time tomorrow?", "I already paid", "Sounds good", "How much is it?", "Merci", "Gracias",
    ];

    /// <summary>The kind drawn, for tallies: stop, start, help or plain.</summary>
    public static (string Kind, string Text) Pick(Random random)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.05 => ("stop", OptOut[random.Next(OptOut.Length)]),
            < 0.07 => ("start", OptIn[random.Next(OptIn.Length)]),
            < 0.08 => ("help", Help[random.Next(Help.Length)]),
            _ => ("plain", Plain[random.Next(Plain.Length)]),
        };
    }
}
