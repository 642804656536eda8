/**
 * What the ledger must do for an order's reservation to follow a routing decision: per line and
 * location, release what the decision no longer wants there and reserve what it newly wants.
 * Units that stay where they are move nowhere, so the ledger shows only real moves.
 */
export interface HeldUnits {
  readonly lineId: string;
  readonly variantId: string;
  readonly locationId: string;
  readonly quantity: number;
}

export interface ReservationMoves {
  readonly release: readonly HeldUnits[];
  readonly reserve: readonly HeldUnits[];
}

export function reservationMoves(current: readonly HeldUnits[], target: readonly HeldUnits[]): ReservationMoves {
  const key = (u: HeldUnits) => `${u.lineId}|${u.locationId}`;
  const sum = (units: readonly HeldUnits[]) => {
    const totals = new Map<string, HeldUnits>();
    for (const u of units) {
      if (!Number.isSafeInteger(u.quantity) || u.quantity <= 0) throw new RangeError(`held quantity must be positive, got ${u.quantity}`);
      const prior = totals.get(key(u));
      if (prior && prior.variantId !== u.variantId) throw new RangeError(`line ${u.lineId} holds two variants`);
      totals.set(key(u), { ...u, quantity: (prior?.quantity ?? 0) + u.quantity });
    }
    return totals;
  };
  const have = sum(current);
  const want = sum(target);
  const release: HeldUnits[] = [];
  const reserve: HeldUnits[] = [];
  for (const [k, held] of have) {
    const wanted = want.get(k)?.quantity ?? 0;
    if (held.quantity > wanted) release.push({ ...held, quantity: held.quantity - wanted });
  }
  for (const [k, wanted] of want) {
    const held = have.get(k)?.quantity ?? 0;
    if (wanted.quantity > held) reserve.push({ ...wanted, quantity: wanted.quantity - held });
  }
  return { release, reserve };
}
