/**
 * What an import does with a channel's stock figure for one level. Switchyard is the stock
 * master: a channel's figure enters the ledger only the first time (the level has no
 * movements yet), as a receipt, so the opening balance is traceable to the import that
 * brought it. After that a differing figure is a drift for the stock sync to correct, never
 * something to copy.
 */

export type ImportedStockDecision =
  | { action: "receive"; quantity: number }
  | { action: "unchanged" }
  | { action: "skip"; reason: ImportedStockSkipReason; detail: string };

export type ImportedStockSkipReason =
  /** Switchyard already has movements for the level; its figure wins. */
  | "switchyard_is_stock_master"
  /** The channel reports fewer than zero on hand (oversold there); nothing to receive. */
  | "negative_on_hand";

export function decideImportedStock(input: { channelOnHand: number; ourOnHand: number; levelHasMovements: boolean }): ImportedStockDecision {
  const { channelOnHand, ourOnHand, levelHasMovements } = input;
  if (channelOnHand === ourOnHand) return { action: "unchanged" };
  if (levelHasMovements) {
    return {
      action: "skip",
      reason: "switchyard_is_stock_master",
      detail: `channel has ${channelOnHand} on hand, Switchyard ${ourOnHand}; Switchyard's figure is kept and pushed`,
    };
  }
  if (channelOnHand < 0) return { action: "skip", reason: "negative_on_hand", detail: `channel reports ${channelOnHand} on hand` };
  // No movements means our on hand is 0: the whole channel figure is the opening receipt.
  return { action: "receive", quantity: channelOnHand - ourOnHand };
}
