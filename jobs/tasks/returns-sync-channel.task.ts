import type { Task } from "graphile-worker";
import { channelDisplayName, channelWriteFailureDecision, channelWriteWording } from "../../core/channels/channel-write-policy";
import type { ChannelFailure, ChannelReturnRequest, ChannelReturnView, ChannelReturnWriter, ChannelRefundMoney } from "../../core/ports/channel-connector-port";
import { isExchangeOrder } from "../../core/returns/exchange-order";
import { minorUnitsToDecimal } from "../../core/shared/decimal-money";
import { nextChannelReturnAction, type ChannelReturnAction, type ChannelReturnState } from "../../core/returns/channel-return-sync";
import { channelHas, openChannelConnection } from "../../connectors/channel-connectors";
import { findConnectedConnection } from "../../db/repositories/channel-write-repository";
import {
  clearChannelSyncState,
  lineKey,
  linkChannelReturn,
  linkedChannelReturnIds,
  loadReturnForChannelSync,
  markChannelReturnPlacing,
  recordChannelReturnFailure,
  recordChannelReturnInStep,
  recordChannelReturnStep,
  type ReturnForChannelSync,
} from "../../db/repositories/return-channel-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import { connectorsOf, type TaskContext } from "../task-context";
import { ChannelWriteRetry, type ChannelWriteAttempt } from "./channel-write";

/**
 * returns/sync-channel: brings a return's mirror on its channel (a Shopify Return) in step with
 * the RMA, one call at a time. Each round reads the channel, asks the pure plan
 * (core/returns/channel-return-sync) for the next call, makes it and records it; the round
 * ends when the plan says nothing is left. Reading first makes every call safe to repeat:
 * Shopify approves only a REQUESTED return and processes only unprocessed units; a placement
 * (no idempotency key there) is committed as `placing` before it is sent and looked for on the
 * order's returns before it is sent again; the plain refund carries a key stable per RMA.
 */

export type ReturnSyncOutcome =
  | { status: "in_step"; actions: ChannelReturnAction[] }
  | { status: "no_connector" }
  | { status: "failed"; reason: string; actions: ChannelReturnAction[] }
  | { status: "gone" };

/** More rounds than any return needs (request, approve, label, process, close); a loop is a bug. */
const MAX_ROUNDS = 8;

export function plainRefundKey(returnId: string): string {
  return `switchyard:return-refund:${returnId}`;
}

export async function syncReturnToChannel(
  context: TaskContext,
  payload: ParsedJobPayload<"returns/sync-channel">,
  attempt: ChannelWriteAttempt,
): Promise<ReturnSyncOutcome> {
  const { db } = context;
  const connectors = connectorsOf(context);
  let rma = await loadReturnForChannelSync(db, payload.shopId, payload.returnId);
  if (!rma) return { status: "gone" };
  // A return of an exchange order (Switchyard's own, never on the channel) has nothing to mirror.
  if (!channelHas(connectors, rma.order.channel, "write_returns") || isExchangeOrder(rma.order.externalId)) {
    await clearChannelSyncState(db, rma.id);
    return { status: "no_connector" };
  }
  const base = { shopId: rma.shopId, returnId: rma.id, orderId: rma.order.id, channel: rma.order.channel };
  const channelName = channelDisplayName(rma.order.channel);
  const actions: ChannelReturnAction[] = [];
  const surface = async (reason: string, detail: string | undefined, connectionId?: string): Promise<ReturnSyncOutcome> => {
    await recordChannelReturnFailure(db, {
      ...base,
      reason,
      ...(detail ? { detail } : {}),
      ...(connectionId ? { connectionId } : {}),
      message: channelWriteWording.failed("sync_return", rma!.order.channel, detail ? `${reason} (${detail})` : reason),
    });
    return { status: "failed", reason, actions };
  };

  const connection = await findConnectedConnection(db, rma.shopId, rma.order.channel);
  if (!connection) return surface("no_connection", `no connected ${channelName} connection`);
  const opened = openChannelConnection(connectors, connection);
  if (!opened.ok) return surface(opened.reason, opened.detail, connection.id);
  const writer = opened.value.returnWriter;
  if (!writer) return surface("no_connector", `${opened.value.module.displayName} has no return writer`, connection.id);

  const failed = async (failure: ChannelFailure): Promise<ReturnSyncOutcome> => {
    // Throttling and outages are retried with backoff; the last attempt and every refusal are shown.
    if (channelWriteFailureDecision(failure.reason, attempt) === "retry") throw new ChannelWriteRetry(failure, "sync_return");
    return surface(failure.reason, failure.detail, connection.id);
  };
  const step = (message: string, data: Record<string, unknown> = {}, extra: { state?: "unmirrorable" | "order_missing"; refundId?: string } = {}) =>
    recordChannelReturnStep(db, { shopId: rma!.shopId, returnId: rma!.id, orderId: rma!.order.id, message: `${channelName}: ${message}`, data, ...extra });

  for (let round = 0; round < MAX_ROUNDS; round++) {
    // What the channel shows now.
    let view: ChannelReturnView | null = null;
    if (rma.channelReturnId) {
      const found = await writer.findReturn(rma.channelReturnId);
      if (!found.ok) return failed(found);
      if (!found.value) return surface("not_found", `${channelName} no longer has return ${rma.channelReturnId}`, connection.id);
      view = found.value;
    } else if (rma.channelSyncState === "placing") {
      // An earlier run placed it, or may have: look before placing again.
      const found = await reconcilePlacement(writer, rma, await linkedChannelReturnIds(db, rma.order.id));
      if (!found.ok) return failed(found);
      if (found.value) {
        if (!(await linkChannelReturn(db, { returnId: rma.id, channelReturnId: found.value.externalId }))) {
          return surface("conflict", `the return is already linked to another ${channelName} return`, connection.id);
        }
        await step(`found return ${found.value.name} placed by an interrupted run`, { channelReturnId: found.value.externalId });
        view = found.value;
      }
    }

    const plan = nextChannelReturnAction(
      {
        status: rma.status,
        resolution: rma.resolution,
        hasLabel: Boolean(rma.trackingNumber),
        unmirrorable: rma.channelSyncState === "unmirrorable",
        plainRefundDone: Boolean(rma.channelRefundId),
        orderMissing: rma.channelSyncState === "order_missing",
      },
      view ? channelState(view) : null,
    );
    if (plan.action === "none") {
      await recordChannelReturnInStep(db, { shopId: rma.shopId, returnId: rma.id, orderId: rma.order.id, state: rma.channelSyncState === "unmirrorable" || rma.channelSyncState === "order_missing" ? rma.channelSyncState : "synced" });
      return { status: "in_step", actions };
    }
    actions.push(plan.action);

    switch (plan.action) {
      case "request":
      case "create": {
        await markChannelReturnPlacing(db, rma.id);
        const request = placementRequest(rma);
        const placed = plan.action === "request" ? await writer.requestReturn(request) : await writer.createReturn(request);
        if (!placed.ok) return failed(placed);
        if ("orderMissing" in placed.value) {
          await step(`${placed.value.orderMissing}: nothing is mirrored, the return goes on here alone`, {}, { state: "order_missing" });
          break;
        }
        if ("unmirrorable" in placed.value) {
          await step(`cannot hold this return (${placed.value.unmirrorable}); money goes back as a plain refund`, {}, { state: "unmirrorable" });
          break;
        }
        const ret = placed.value.placed;
        if (!(await linkChannelReturn(db, { returnId: rma.id, channelReturnId: ret.externalId }))) {
          return surface("conflict", `placed ${ret.externalId}, but the return is already linked to another ${channelName} return`, connection.id);
        }
        await step(`return ${ret.name} ${plan.action === "request" ? "requested" : "created (open)"}`, { channelReturnId: ret.externalId });
        break;
      }
      case "approve": {
        const done = await writer.approveReturn(rma.channelReturnId!);
        if (!done.ok) return failed(done);
        await step("return approved");
        break;
      }
      case "decline": {
        const done = await writer.declineReturn(rma.channelReturnId!, { reason: "other", ...(rma.declineReason ? { note: rma.declineReason } : {}) });
        if (!done.ok) return failed(done);
        await step("return declined");
        break;
      }
      case "cancel": {
        const done = await writer.cancelReturn(rma.channelReturnId!);
        if (!done.ok) return failed(done);
        await step("return cancelled");
        break;
      }
      case "attach_label": {
        const done = await writer.attachLabel({
          reverseFulfillmentOrderId: view!.reverseFulfillmentOrdersAwaitingDelivery[0]!,
          trackingNumber: rma.trackingNumber!,
          ...(rma.trackingUrl ? { trackingUrl: rma.trackingUrl } : {}),
          ...(rma.labelUrl ? { labelUrl: rma.labelUrl } : {}),
          notifyCustomer: true,
        });
        if (!done.ok) return failed(done);
        await step(`return label ${rma.trackingNumber} attached`, { reverseDeliveryId: done.value.reverseDeliveryId });
        break;
      }
      case "process": {
        const done = await writer.processReturn(processRequest(rma, view!));
        if (!done.ok) return failed(done);
        await step(`return processed (${describeMoney(refundMoney(rma))})`);
        break;
      }
      case "close": {
        const done = await writer.closeReturn(rma.channelReturnId!);
        if (!done.ok) return failed(done);
        await step("return closed");
        break;
      }
      case "plain_refund": {
        const money = refundMoney(rma);
        if (money.kind === "none") return surface("nothing_to_refund", "the return pays nothing back", connection.id);
        const done = await writer.refund({
          orderExternalId: rma.order.externalId,
          idempotencyKey: plainRefundKey(rma.id),
          lines: rma.lines.map((l) => ({ externalLineId: l.externalLineId, quantity: l.quantity })),
          money,
          note: `Return ${rma.rmaNumber}`,
        });
        if (!done.ok) return failed(done);
        await step(`refund ${describeMoney(money)} made (refundCreate)`, { refundId: done.value.refundId }, { refundId: done.value.refundId });
        break;
      }
    }
    rma = (await loadReturnForChannelSync(db, payload.shopId, payload.returnId))!;
  }
  throw new Error(`return ${payload.returnId}: still not in step with ${channelName} after ${MAX_ROUNDS} calls (${actions.join(", ")})`);
}

function channelState(view: ChannelReturnView): ChannelReturnState {
  return {
    status: view.status,
    awaitingLabel: view.reverseFulfillmentOrdersAwaitingDelivery.length > 0,
    unprocessedQuantity: view.lines.reduce((sum, l) => sum + l.unprocessedQuantity, 0) + view.exchangeLines.reduce((sum, l) => sum + l.unprocessedQuantity, 0),
  };
}

/** The channel return this RMA placed: same lines, not linked to another RMA, newest first. */
async function reconcilePlacement(writer: ChannelReturnWriter, rma: ReturnForChannelSync, linked: Set<string>) {
  const found = await writer.findOrderReturns(rma.order.externalId);
  if (!found.ok) return found;
  const wanted = lineKey(rma.lines);
  const match = found.value.find((r) => !linked.has(r.externalId) && r.status !== "declined" && r.status !== "cancelled" && lineKey(r.lines) === wanted);
  return { ok: true as const, value: match ?? null };
}

function placementRequest(rma: ReturnForChannelSync): ChannelReturnRequest {
  const exchangeLines = rma.resolution === "exchange" ? rma.lines.filter((l) => l.exchangeVariantExternalId).map((l) => ({ variantExternalId: l.exchangeVariantExternalId!, quantity: l.quantity })) : [];
  return {
    orderExternalId: rma.order.externalId,
    lines: rma.lines.map((l) => ({ externalLineId: l.externalLineId, quantity: l.quantity, reason: l.reason, ...(l.note ? { note: l.note } : {}) })),
    ...(exchangeLines.length > 0 ? { exchangeLines } : {}),
    ...(rma.returnShippingFeeMinor > 0 ? { returnShippingFee: { amountMinor: rma.returnShippingFeeMinor, currency: rma.currency } } : {}),
  };
}

const DISPOSITION_KINDS = { restock: "restocked", refurbish: "processing_required", dispose: "not_restocked" } as const;

function refundMoney(rma: ReturnForChannelSync): ChannelRefundMoney {
  if (rma.resolution === "exchange" || rma.payoutMinor <= 0) return { kind: "none" };
  return { kind: rma.resolution === "store_credit" ? "store_credit" : "original_payment", amountMinor: rma.payoutMinor, currency: rma.currency };
}

function describeMoney(money: ChannelRefundMoney): string {
  if (money.kind === "none") return "no refund";
  const amount = `${minorUnitsToDecimal(money.amountMinor, money.currency)} ${money.currency}`;
  return money.kind === "store_credit" ? `${amount} store credit` : `${amount} refunded`;
}

/** Every unprocessed unit with where it went (our inspection's disposition), and the money. */
function processRequest(rma: ReturnForChannelSync, view: ChannelReturnView) {
  const dispositionOf = new Map(rma.lines.map((l) => [l.externalLineId, l.disposition]));
  return {
    returnExternalId: view.externalId,
    orderExternalId: rma.order.externalId,
    lines: view.lines
      .filter((l) => l.unprocessedQuantity > 0)
      .map((l) => {
        const disposition = dispositionOf.get(l.externalLineId);
        // A kept item (keep-the-item) never came back: it is not restocked anywhere.
        const kind = disposition && disposition in DISPOSITION_KINDS ? DISPOSITION_KINDS[disposition as keyof typeof DISPOSITION_KINDS] : "not_restocked";
        return {
          id: l.id,
          quantity: l.unprocessedQuantity,
          ...(l.reverseLineId
            ? { disposition: { reverseLineId: l.reverseLineId, kind, ...(kind === "restocked" && rma.destinationExternalId ? { locationExternalId: rma.destinationExternalId } : {}) } }
            : {}),
        };
      }),
    exchangeLines: view.exchangeLines.filter((l) => l.unprocessedQuantity > 0).map((l) => ({ id: l.id, quantity: l.unprocessedQuantity })),
    money: refundMoney(rma),
    notifyCustomer: true,
    note: `Return ${rma.rmaNumber} (Switchyard)`,
  };
}

/** returns/sync-channel: one return's mirror on its channel (job key per return, the order's queue). */
export function returnsSyncChannelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["returns/sync-channel"].parse(rawPayload);
    const outcome = await syncReturnToChannel(context, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    const detail = "actions" in outcome && outcome.actions.length > 0 ? ` [${outcome.actions.join(", ")}]` : "";
    helpers.logger.info(`return ${payload.returnId} on channel: ${outcome.status}${outcome.status === "failed" ? ` (${outcome.reason})` : ""}${detail}`);
  };
}
