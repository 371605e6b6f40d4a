namespace OptOutGate.Core.Index;

/// <summary>What an index entry is. Stored in the key, so one recipient can have one entry of each kind per scope.</summary>
public enum EntryKind : byte
{
    OptOut = 1,
    Suppression = 2,
    Bypass = 3,
}
