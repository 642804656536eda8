/**
 * Waits for statements of one transaction that were issued together (each call already sent
 * its first statement; the connection pipelines them, db/client.ts) and fails with the first
 * failure, but only once every one of them has settled. Promise.all would fail at the first
 * error, the caller would roll the transaction back at once, and a statement another call sends
 * after a result it was still waiting for would then reach the connection after the ROLLBACK:
 * outside the transaction, or inside the next one that connection serves.
 */
export async function statementsTogether(issued: readonly (Promise<unknown> | undefined)[]): Promise<void> {
  const settled = await Promise.allSettled(issued);
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) throw failure.reason;
}
