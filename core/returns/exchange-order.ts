/**
 * An exchange is shipped as an order of its own, created by Switchyard when the return is
 * requested so the new item is reserved at once. It carries the source channel of the original
 * order (for reporting and stock allocation) but exists only here: nothing about it is written
 * back to the channel, which knows the exchange through the return itself.
 */
export const EXCHANGE_ORDER_PREFIX = "switchyard-exchange:";

export function exchangeOrderExternalId(returnId: string): string {
  return `${EXCHANGE_ORDER_PREFIX}${returnId}`;
}

export function isExchangeOrder(externalId: string): boolean {
  return externalId.startsWith(EXCHANGE_ORDER_PREFIX);
}
