namespace OptOutGate.Engine.Workflow;

/// <summary>What a workflow decision found on the pipeline's loop; the caller turns it into a status.</summary>
internal enum WorkflowOutcome
{
    Written = 0,
    NotFound = 1,
    AlreadyExists = 2,
    NotPending = 3,

    /// <summary>Four eyes: the key that created a removal request tried to approve it.</summary>
    SameKey = 4,
}
