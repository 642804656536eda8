/**
 * Waits for a condition the system reaches on its own (a worker catching up, a server coming
 * back), checking every `intervalMs`; fails with `what` when it is not reached by the deadline.
 * The deadline is a bound the behaviour promises, not a measurement.
 */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false | null>, deadlineMs: number, intervalMs = 100): Promise<T> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) {
      throw new Error(`not reached within ${deadlineMs} ms: ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
