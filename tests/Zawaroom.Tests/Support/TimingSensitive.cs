namespace Zawaroom.Tests.Support;

/// <summary>
/// Tests whose subject is timing (a heartbeat timeout, a real browser) run on their own, after the
/// parallel ones, so that a loaded 2-core machine does not starve the timers they observe.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
