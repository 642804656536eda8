import { eq, isNotNull, and } from "drizzle-orm";
import { isIncomingReturnStatus } from "../../core/inventory/incoming-returns";
import { returnRulesSchema } from "../../core/returns/return-rules";
import type { Tx } from "../client";
import { returnLines, returnSettings } from "../schema";
import { markStockDirty } from "./stock-sync-dirty-repository";

/**
 * A return entering or leaving an incoming status (label issued, in transit) changes what a
 * channel with the returns-as-incoming policy may sell: its variants are marked for the stock
 * sync in the step's transaction. Shops with the policy off (the default) mark nothing.
 */
export async function noteIncomingReturnChange(tx: Tx, shopId: string, returnId: string, from: string, to: string): Promise<void> {
  if (isIncomingReturnStatus(from) === isIncomingReturnStatus(to)) return;
  const [settings] = await tx.select({ rules: returnSettings.rules }).from(returnSettings).where(eq(returnSettings.shopId, shopId));
  const rules = returnRulesSchema.safeParse(settings?.rules ?? {});
  if (!rules.success || !Object.values(rules.data.incomingReturnsToSell).some((percent) => (percent ?? 0) > 0)) return;
  const lines = await tx
    .selectDistinct({ variantId: returnLines.variantId })
    .from(returnLines)
    .where(and(eq(returnLines.returnId, returnId), isNotNull(returnLines.variantId)));
  const variantIds = lines.map((line) => line.variantId!);
  if (variantIds.length > 0) await markStockDirty(tx, { shopId, variantIds });
}
