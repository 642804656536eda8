/**
 * The in-process wake of the intake loop: an ingress that stored a delivery calls
 * `signalInboxStored()`, and a worker loop in the same process (npm start) claims at once
 * instead of at its next poll. Costs no database work at all; across processes the loop's short
 * poll (SWITCHYARD_INTAKE_POLL_MS) bounds the wait instead (docs/adr/0015).
 */
const listeners = new Set<() => void>();

export function signalInboxStored(): void {
  for (const listener of listeners) listener();
}

export function onInboxStored(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
