import { z } from "zod";
import { nextReturnsWindowStart } from "../../../core/returns/channel-return-follow.js";
import type { ChannelCallResult } from "../../../core/ports/channel-connector-port.js";
import type { ChannelReturns, ChannelReturnsPage } from "../../../core/ports/channel-returns-port.js";
import type { AmazonSettings } from "../amazon-connection-config.js";
import type { SpApiClient } from "../sp-api-client.js";
import { parseReturnsReport, RETURNS_REPORT_TYPE } from "./amazon-returns-report-parser.js";

/**
 * Amazon seller-fulfilled returns through the Reports API (2021-06-30), as Amazon asks for any
 * report: createReport(GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE, dataStartTime..dataEndTime),
 * getReport until processingStatus is DONE (CANCELLED means there was nothing to report),
 * getReportDocument for the presigned URL, then the document (gunzipped when
 * compressionAlgorithm says GZIP) downloaded through the official client and parsed.
 *
 * One report per pass, never more often than `everyMs` (createReport allows one a minute): the
 * cursor {from, to, reportId, requestedAt} carries the report being prepared across job runs,
 * and after each report the window starts at the oldest return still unsettled in it, so a
 * return is read again until Amazon shows it refunded or closed.
 */

export const RETURNS_REPORT_EVERY_MS = 15 * 60_000;
const FIRST_PASS_LOOKBACK_MS = 30 * 24 * 3600_000;
/** Returns requested longer ago than this are not looked for again. */
const WINDOW_FLOOR_MS = 90 * 24 * 3600_000;

const cursorSchema = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }).optional(),
  reportId: z.string().min(1).optional(),
  requestedAt: z.iso.datetime({ offset: true }).optional(),
});
type AmazonReturnsCursor = z.infer<typeof cursorSchema>;

const reportSchema = z.looseObject({ reportId: z.string(), processingStatus: z.string(), reportDocumentId: z.string().optional() });
const documentSchema = z.looseObject({ reportDocumentId: z.string(), url: z.url(), compressionAlgorithm: z.string().optional() });

export function initialAmazonReturnsCursor(now: number): string {
  return JSON.stringify({ from: new Date(now - FIRST_PASS_LOOKBACK_MS).toISOString() } satisfies AmazonReturnsCursor);
}

const idle = (cursor: AmazonReturnsCursor): ChannelCallResult<ChannelReturnsPage> => ({ ok: true, value: { returns: [], rejected: [], nextCursor: JSON.stringify(cursor), hasMore: false } });

export async function pollAmazonReturns(
  client: SpApiClient,
  settings: Pick<AmazonSettings, "marketplaceId">,
  cursorText: string | null,
  options: { now: number; everyMs?: number },
): Promise<ChannelCallResult<ChannelReturnsPage>> {
  let cursor: AmazonReturnsCursor;
  try {
    cursor = cursorSchema.parse(JSON.parse(cursorText ?? initialAmazonReturnsCursor(options.now)));
  } catch {
    return { ok: false, reason: "rejected", detail: `invalid Amazon returns cursor ${JSON.stringify(cursorText)}` };
  }
  if (!cursor.reportId) {
    const every = options.everyMs ?? RETURNS_REPORT_EVERY_MS;
    if (cursor.requestedAt && options.now - Date.parse(cursor.requestedAt) < every) return idle(cursor);
    const to = new Date(options.now).toISOString();
    const created = await client.call<{ reportId?: string }>("reports_2021-06-30.json:createReport", {
      body: { reportType: RETURNS_REPORT_TYPE, marketplaceIds: [settings.marketplaceId], dataStartTime: cursor.from, dataEndTime: to },
    });
    if (!created.ok) return created;
    const reportId = created.value.body?.reportId;
    if (!reportId) return { ok: false, reason: "rejected", detail: "createReport answered without a reportId" };
    // The report takes a while: the next run asks for it.
    return idle({ from: cursor.from, to, reportId, requestedAt: to });
  }

  const report = await client.call("reports_2021-06-30.json:getReport", { path: { reportId: cursor.reportId } });
  if (!report.ok) return report;
  const parsedReport = reportSchema.safeParse(report.value.body);
  if (!parsedReport.success) return { ok: false, reason: "rejected", detail: `getReport answered an unreadable report: ${JSON.stringify(report.value.body).slice(0, 300)}` };
  const to = new Date(cursor.to ?? new Date(options.now).toISOString());
  const floor = new Date(options.now - WINDOW_FLOOR_MS);
  const { processingStatus, reportDocumentId } = parsedReport.data;
  if (processingStatus === "IN_QUEUE" || processingStatus === "IN_PROGRESS") return idle(cursor);
  if (processingStatus === "CANCELLED") {
    // Amazon cancels a report that has no data: no return was requested in the window.
    const next = { from: nextReturnsWindowStart(new Date(cursor.from), to, [], floor).toISOString(), ...(cursor.requestedAt ? { requestedAt: cursor.requestedAt } : {}) };
    return { ok: true, value: { returns: [], rejected: [], nextCursor: JSON.stringify(next), hasMore: false } };
  }
  if (processingStatus !== "DONE" || !reportDocumentId) {
    // FATAL (or a status we do not know): kept for the merchant, the same window asked again next time.
    const next = { from: cursor.from, ...(cursor.requestedAt ? { requestedAt: cursor.requestedAt } : {}) };
    return { ok: true, value: { returns: [], rejected: [{ problem: `returns report ${cursor.reportId} ended ${processingStatus}`, raw: report.value.body }], nextCursor: JSON.stringify(next), hasMore: false } };
  }

  const document = await client.call("reports_2021-06-30.json:getReportDocument", { path: { reportDocumentId } });
  if (!document.ok) return document;
  const parsedDocument = documentSchema.safeParse(document.value.body);
  if (!parsedDocument.success) return { ok: false, reason: "rejected", detail: `getReportDocument answered no usable URL: ${JSON.stringify(document.value.body).slice(0, 300)}` };
  const content = await client.download({ url: parsedDocument.data.url, ...(parsedDocument.data.compressionAlgorithm ? { compressionAlgorithm: parsedDocument.data.compressionAlgorithm } : {}) });
  if (!content.ok) return content;
  const parsed = parseReturnsReport(content.value);
  const from = nextReturnsWindowStart(new Date(cursor.from), to, parsed.returns.map((r) => r.record), floor);
  const next = { from: from.toISOString(), ...(cursor.requestedAt ? { requestedAt: cursor.requestedAt } : {}) };
  return { ok: true, value: { returns: parsed.returns, rejected: parsed.rejected, nextCursor: JSON.stringify(next), hasMore: false } };
}

/** How often a connection asks for a new returns report: settings.returnsReportEveryMinutes (1..1440), else every 15 minutes. */
export function returnsReportEveryMs(settings: Record<string, unknown>): number | undefined {
  const minutes = z.number().int().min(1).max(1440).safeParse(settings.returnsReportEveryMinutes);
  return minutes.success ? minutes.data * 60_000 : undefined;
}

/** The `returns` capability of an Amazon connection: read only (Amazon refunds are made in Seller Central). */
export function amazonReturns(client: SpApiClient, settings: AmazonSettings, now: () => number, everyMs?: number): ChannelReturns {
  return { fetchReturns: (cursor) => pollAmazonReturns(client, settings, cursor, { now: now(), ...(everyMs !== undefined ? { everyMs } : {}) }) };
}
