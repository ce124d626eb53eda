namespace Zawaroom.Live;

/// <summary>
/// Background work of the live room that may not hang for ever: the work's token is cancelled after the
/// time given, and a cancellation that came from that (not from the caller) is reported as a
/// <see cref="TimeoutException"/> naming what was given up, so the loop running it logs it and goes on.
/// </summary>
static class Bounded
{
    /// <param name="gaveUp">What was given up, as the start of the message: "The presence sweep gave up renewing".</param>
    public static async Task Run(Func<CancellationToken, Task> work, TimeSpan timeout, string gaveUp, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            await work(bounded.Token);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{gaveUp} after {timeout.TotalSeconds:0.#} s.");
        }
    }
}
