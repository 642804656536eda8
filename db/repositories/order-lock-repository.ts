import { sql } from "drizzle-orm";
import type { UnifiedOrderLine } from "../../core/orders/unified-order";
import type { Tx } from "../client";
import { executePrepared } from "../prepared-statement";
import { statementsTogether } from "../statements-together";
import { matchLineVariants, type LineIdentity } from "./line-variant-match";

/** An order a transaction is about to write: by its channel key, with the lines the channel sent (if any). */
export interface OrderLockScope {
  channel: string;
  externalId: string;
  lines: readonly Pick<UnifiedOrderLine, "sku" | "channelVariantRef" | "carriesStock">[];
}

/**
 * What a claim learnt while locking, handed to createOrders so it does not look the same things
 * up again: the variant each line identity matched (lineIdentityKey). The levels of all of them
 * are held by the transaction from then on, or once holdClaimLevels runs when the claim deferred them.
 */
export interface ClaimLocks {
  lineVariants: ReadonlyMap<string, string | null>;
  /**
   * The claim's orders the shop already held when they were locked, by orderKey:
   * createOrders leaves them to the update path without looking again (one created since by
   * another transaction is still caught by its insert).
   */
  heldOrders: ReadonlySet<string>;
  /** The levels the claim can touch: held from the start, or once holdClaimLevels is called. */
  levels: { shopId: string; variantIds: readonly string[]; held: boolean };
}

export interface ClaimLockOptions {
  /**
   * Every delivery of the claim carries a whole order (orders/create, a marketplace order): the
   * levels are locked by createOrders once it has written the new orders and their lines
   * (holdClaimLevels; docs/adr/0020), so the section that holds them, which a shop's batches run
   * one at a time, is as short as the stock decision allows. The held orders are still locked here.
   */
  deferLevels?: boolean;
}

/**
 * Locks the claim's levels (one statement, id order) if it has not yet; a no-op afterwards.
 * Nothing that depends on the stock may be decided or written before this.
 */
export async function holdClaimLevels(tx: Tx, claim: ClaimLocks): Promise<void> {
  if (claim.levels.held) return;
  claim.levels.held = true;
  if (claim.levels.variantIds.length === 0) return;
  await executePrepared(tx, sql`
    SELECT l.id FROM inventory_levels l
     WHERE l.variant_id = ANY(${sql.param(claim.levels.variantIds)}::uuid[]) AND l.shop_id = ${claim.levels.shopId}::uuid
     ORDER BY l.id
       FOR UPDATE`);
}

/** The key ClaimLocks.lineVariants is read by: everything matchLineVariants looks at. */
export function lineIdentityKey(line: LineIdentity): string {
  return `${line.channel}\u0000${line.channelVariantRef ?? ""}\u0000${line.sku ?? ""}\u0000${line.carriesStock ? 1 : 0}`;
}

/** An order's key in the maps and sets intake keeps (ClaimLocks.heldOrders, heldOrderVersions). */
export function orderKey(order: { channel: string; externalId: string }): string {
  return `${order.channel}\u0000${order.externalId}`;
}

/** An order's unique key as one text, for `= ANY` over the (channel, external id) pairs. */
const orderKeyText = (channel: string, externalId: string) => `${channel}/${externalId}`;

/**
 * Takes, up front and in the one lock order of docs/adr/0003, every lock a transaction that
 * writes several orders in turn can need: the orders it already holds (one statement, id
 * order), then every inventory level of every variant those orders hold or the channel's lines
 * match (one statement, id order). The writes that follow (createOrders, the update and edit
 * handlers one by one) then lock only rows already held, so they cannot wait crosswise with
 * routing, an edit or another batch, which lock an order, then its levels. Orders not held yet
 * are only created later; their levels are in the set through their lines. With deferLevels the
 * levels are taken later, by holdClaimLevels, still in one statement and before anything that
 * depends on the stock; only the new orders' own rows are written before it.
 *
 * Every statement reads its index with the claim's keys as one array (`= ANY`), so the plans
 * hold on tables without statistics yet: joined against the keys as a record set, this lock
 * was planned as sequential scans of order lines and allocations re-read per level, which cost
 * over 100 ms per batch and grew with every order stored.
 */
export async function lockOrdersAndLevels(tx: Tx, shopId: string, scopes: readonly OrderLockScope[], options: ClaimLockOptions = {}): Promise<ClaimLocks> {
  const lineVariants = new Map<string, string | null>();
  if (scopes.length === 0) return { lineVariants, heldOrders: new Set(), levels: { shopId, variantIds: [], held: true } };
  const channels = [...new Set(scopes.map((scope) => scope.channel))];
  const externalIds = [...new Set(scopes.map((scope) => scope.externalId))];
  const keys = [...new Set(scopes.map((scope) => orderKeyText(scope.channel, scope.externalId)))];
  // The channel names carry no "/", so the joined text names exactly one (channel, external id).
  const identities: LineIdentity[] = [];
  for (const scope of scopes) {
    for (const line of scope.lines) {
      const identity = { channel: scope.channel, channelVariantRef: line.channelVariantRef ?? null, sku: line.sku ?? null, carriesStock: line.carriesStock };
      const key = lineIdentityKey(identity);
      if (!lineVariants.has(key)) {
        lineVariants.set(key, null);
        identities.push(identity);
      }
    }
  }
  // The held orders' locks and the lines' variants (a plain read) in one round trip.
  let held: { id: string; channel: string; external_id: string }[] = [];
  let matched: (string | null)[] = [];
  await statementsTogether([
    executePrepared<{ id: string; channel: string; external_id: string }>(tx, sql`
      SELECT o.id, o.channel, o.external_id FROM orders o
       WHERE o.shop_id = ${shopId}::uuid AND o.channel = ANY(${sql.param(channels)}::text[]) AND o.external_id = ANY(${sql.param(externalIds)}::text[])
         AND o.channel || '/' || o.external_id = ANY(${sql.param(keys)}::text[])
       ORDER BY o.id
         FOR UPDATE OF o`).then((result) => (held = result.rows)),
    matchLineVariants(tx, shopId, identities).then((variants) => (matched = variants)),
  ]);
  const orderIds = held.map((row) => row.id);
  identities.forEach((identity, i) => lineVariants.set(lineIdentityKey(identity), matched[i] ?? null));

  const variantIds = new Set(matched.filter((variant): variant is string => variant !== null));
  if (orderIds.length > 0) {
    const heldVariants = await executePrepared<{ variant_id: string }>(tx, sql`
      SELECT ol.variant_id FROM order_lines ol WHERE ol.order_id = ANY(${sql.param(orderIds)}::uuid[]) AND ol.variant_id IS NOT NULL
      UNION
      SELECT a.variant_id FROM allocations a WHERE a.order_id = ANY(${sql.param(orderIds)}::uuid[]) AND a.status = 'reserved'`);
    for (const row of heldVariants.rows) variantIds.add(row.variant_id);
  }
  const heldOrders = new Set(held.map((row) => orderKey({ channel: row.channel, externalId: row.external_id })));
  const claim: ClaimLocks = { lineVariants, heldOrders, levels: { shopId, variantIds: [...variantIds], held: false } };
  if (!options.deferLevels) await holdClaimLevels(tx, claim);
  return claim;
}
