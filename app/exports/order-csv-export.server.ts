import { once } from "node:events";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { stringify } from "csv-stringify";
import { minorUnitsToDecimal } from "../../core/shared/decimal-money";
import type { Database } from "../../db/client";
import { countOrdersForExport, orderExportBatches } from "../../db/queries/order-export-queries";
import type { OrderListFilters, OrderListRow } from "../../db/queries/order-queries";

/** The header the export's progress bar reads: how many orders the file will hold. */
export const EXPORT_TOTAL_HEADER = "X-Export-Total";

const COLUMNS = [
  { key: "number", header: "Order" },
  { key: "channel", header: "Channel" },
  { key: "status", header: "Status" },
  { key: "financialStatus", header: "Payment" },
  { key: "placedAt", header: "Placed at (UTC)" },
  { key: "customerName", header: "Customer" },
  { key: "customerEmail", header: "Email" },
  { key: "units", header: "Units" },
  { key: "currency", header: "Currency" },
  { key: "total", header: "Total" },
  { key: "openExceptions", header: "Open exceptions" },
  { key: "id", header: "Switchyard id" },
];

function toRecord(row: OrderListRow) {
  return { ...row, total: minorUnitsToDecimal(row.totalMinor, row.currency) };
}

/**
 * The orders matching the filters as a CSV body that is written while it is read: one batch of
 * orders in memory at a time, and the stringifier's backpressure pauses the database reads when
 * the client downloads slowly. A failure mid-way aborts the stream, so a truncated file never
 * looks complete.
 */
export async function streamOrdersCsv(db: Database, shopId: string, filters: OrderListFilters): Promise<{ total: number; body: ReadableStream<Uint8Array> }> {
  const total = await countOrdersForExport(db, shopId, filters);
  const csv = stringify({ header: true, columns: COLUMNS });
  void (async () => {
    try {
      for await (const batch of orderExportBatches(db, shopId, filters)) {
        for (const row of batch) {
          if (!csv.write(toRecord(row))) await once(csv, "drain");
        }
      }
      csv.end();
    } catch (error) {
      csv.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return { total, body: createReadableStreamFromReadable(csv) };
}
