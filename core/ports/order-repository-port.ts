import type { Result } from "../shared/result.js";
import type { Channel, UnifiedOrder } from "../orders/unified-order.js";
import type { HoldReason, OrderStatus } from "../orders/order-status.js";
import type { OrderEvent } from "../orders/order-state-machine.js";

/**
 * Order storage as the core sees it. Implemented in db/; every method is scoped by shop so
 * tenants can later be distributed by shop_id without changing callers.
 */

export interface StoredOrderLine {
  readonly id: string;
  readonly externalLineId: string;
  readonly sku: string;
  /** null while the SKU matches no variant in the catalogue; such lines cannot be reserved. */
  readonly variantId: string | null;
  readonly quantity: number;
}

export interface StoredOrder {
  readonly id: string;
  readonly shopId: string;
  readonly channel: Channel;
  readonly externalId: string;
  readonly status: OrderStatus;
  readonly openHolds: readonly HoldReason[];
  readonly lines: readonly StoredOrderLine[];
  readonly order: UnifiedOrder;
}

/**
 * created: first sight. updated: newer sourceUpdatedAt replaced the stored copy.
 * unchanged: a redelivery of what we have. stale: older than what we have, ignored.
 */
export type OrderUpsertOutcome = "created" | "updated" | "unchanged" | "stale";

export interface OrderStatusChange {
  readonly shopId: string;
  readonly orderId: string;
  /** The status the caller decided from; the write fails if the order moved meanwhile. */
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly event: OrderEvent;
  readonly actor: string;
  readonly at: Date;
}

export type OrderStatusChangeRefusal = "order_not_found" | "status_changed_concurrently";

export interface OrderRepository {
  findById(shopId: string, orderId: string): Promise<StoredOrder | null>;
  findByExternalId(shopId: string, channel: Channel, externalId: string): Promise<StoredOrder | null>;

  /** Idempotent by (shop, channel, externalId); never lets an older update overwrite a newer one. */
  upsertFromChannel(
    shopId: string,
    order: UnifiedOrder,
  ): Promise<{ readonly order: StoredOrder; readonly outcome: OrderUpsertOutcome }>;

  /**
   * Compare-and-set on status, recording the event in the order's history. The caller has
   * already run `transition`; this only guards against a concurrent change.
   */
  changeStatus(change: OrderStatusChange): Promise<Result<StoredOrder, OrderStatusChangeRefusal>>;
}
