/**
 * The in-process wake of the intake loop: an ingress that stored a delivery calls
 * `signalInboxStored()`, and a worker loop in the same process (npm start) claims at once
 * instead of at its next poll. Costs no database work at all; across processes the loop's short
 * poll (SWITCHYARD_INTAKE_POLL_MS) bounds the wait instead (docs/adr/0015).
 *
 * A process that only serves HTTP (`npm run web`) also sets a cross-process signal
 * (inbox-wake-channel.ts: a throttled NOTIFY), which workers in other processes listen for.
 *
 * Kept on globalThis: the admin's server build bundles its own copy of this module, and its
 * ingress must still wake the worker loaded beside it.
 */
declare global {
  var __switchyardInboxListeners: Set<() => void> | undefined;
  var __switchyardInboxCrossProcessSignal: (() => void) | undefined;
}

const listeners = (globalThis.__switchyardInboxListeners ??= new Set<() => void>());

export function signalInboxStored(): void {
  for (const listener of listeners) listener();
  globalThis.__switchyardInboxCrossProcessSignal?.();
}

/** Sets (or clears) what tells workers in other processes that deliveries were stored. */
export function setCrossProcessInboxSignal(signal: (() => void) | undefined): void {
  globalThis.__switchyardInboxCrossProcessSignal = signal;
}

export function onInboxStored(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
