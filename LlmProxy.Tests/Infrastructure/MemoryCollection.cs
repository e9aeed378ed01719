namespace LlmProxy.Tests.Infrastructure;

/// <summary>
/// Tests that measure the process's memory run alone, after the parallel ones, so that no other test's allocations
/// show up in their figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "memory measurements";

    /// <summary>Managed memory still referenced, after a full collection.</summary>
    public static long LiveBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
