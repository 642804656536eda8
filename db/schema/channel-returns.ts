import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { channelConnections } from "./channels";
import { returns } from "./returns";
import { shops } from "./shops";

/**
 * Every return read from a channel (an eBay Post-Order return, the rows of one RMA in Amazon's
 * returns report), stored once per connection and external id as it was read, with the RMA it
 * became or the problem that stopped it (order not imported yet, a line we cannot match, an
 * unreadable row). Re-reading a return updates this row; nothing read is dropped (rule 8).
 */
export const channelReturnRecords = pgTable(
  "channel_return_records",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    /** The channel's return id; "unreadable:<digest>" for input that named none. */
    externalReturnId: text("external_return_id").notNull(),
    externalOrderId: text("external_order_id"),
    /** The channel's own status word, and the RMA status it means (core/ports/channel-returns-port). */
    channelStatus: text("channel_status"),
    stage: text("stage"),
    payload: jsonb("payload").$type<unknown>().notNull(),
    /** Why it is not (yet) an RMA, or why the last update could not be applied; null when all is well. */
    problem: text("problem"),
    returnId: uuid("return_id").references(() => returns.id, { onDelete: "set null" }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("channel_return_records_connection_external").on(t.connectionId, t.externalReturnId),
    // The returns page lists the records with a problem: few rows, a small partial index.
    index("channel_return_records_problem_idx").on(t.shopId, t.lastSeenAt).where(sql`${t.problem} IS NOT NULL`),
  ],
);
