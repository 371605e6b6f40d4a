using Microsoft.Extensions.Options;

namespace OptOutGate.Engine.Configuration;

/// <summary>
/// Start-up validation of an engine options class in the shape the host validates its own (<see cref="IValidateOptions{TOptions}"/>):
/// fails with one line per bad setting, named by its key under <paramref name="section"/> (for example
/// <c>new EngineOptionsValidator&lt;GateEngineOptions&gt;(GateEngineOptions.SectionName)</c>, or registered for
/// <c>ValidateOnStart</c>).
/// </summary>
internal sealed class EngineOptionsValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class, IValidatedOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems(section);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
