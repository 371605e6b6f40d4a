namespace OptOutGate.Engine.Writes;

/// <summary>Whether an <see cref="EntryWriteRequest"/> adds (or updates) entries or lifts them.</summary>
internal enum EntryWriteOperation
{
    Add = 1,
    Remove = 2,
}
