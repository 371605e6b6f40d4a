namespace OptOutGate.Server.Webhooks;

/// <summary>What one POST came to: accepted (2xx) or not, the HTTP status (0 without a response), why it failed, how long it took.</summary>
internal readonly record struct DeliveryAttempt(bool Success, int HttpStatus, string Error, TimeSpan Duration);
