import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { easyPostSignature } from "../easypost-webhook-signature.js";
import {
  addressObject,
  errorBody,
  eventObject,
  parcelObject,
  postageLabelObject,
  shipmentObject,
  trackerObject,
  trackingCode,
  type Json,
  type SandboxAddressInput,
  type SandboxParcelInput,
} from "./sandbox-objects.js";
import { sandboxLabelPdf } from "./sandbox-label-pdf.js";

/**
 * A stand-in for EasyPost's API v2 (rule 9): the paths the official SDK calls, HTTP Basic auth
 * with the API key, EasyPost's error shape, shipments with rates, buy (once per shipment, as
 * EasyPost enforces), refunds, trackers, printable labels, and tracker events delivered to the
 * app as signed webhooks. State is in memory.
 */

export interface EasyPostSandboxOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  apiKey: string;
  /** Where events are POSTed, e.g. http://localhost:3000/webhooks/easypost; none when absent. */
  webhookUrl?: string;
  webhookSecret: string;
  /** When > 0, every bought label's tracker moves one step (in transit, out for delivery, delivered) this often. */
  trackerStepMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export const TRACKER_PROGRESSION = ["pre_transit", "in_transit", "out_for_delivery", "delivered"] as const;

export interface SandboxWebhookDelivery {
  eventId: string;
  description: string;
  status: number;
  ok: boolean;
}

export interface EasyPostSandboxState {
  shipments: Map<string, Json>;
  trackers: Map<string, Json>;
  labels: Map<string, Buffer>;
  /** Successful purchases, in order: what tests count to prove a label was bought once. */
  purchases: { shipmentId: string; rateId: string; at: number }[];
  refunds: string[];
}

export interface EasyPostSandbox {
  url: string;
  /** What the SDK's baseUrl must be set to. */
  apiBaseUrl: string;
  state: EasyPostSandboxState;
  /**
   * Holds every purchase from now on at the provider, under way but without its label yet (a
   * concurrent buy of the same shipment is refused, its shipment shows no label), until
   * `release`: how tests stage a purchase in flight without timing. `reached` resolves once the
   * first purchase is held. With `count`, only the next `count` purchases are held and later
   * ones go through: a run buying afresh while another's purchase is still under way.
   */
  holdPurchases(options?: { count?: number }): { reached: Promise<void>; release(): void };
  /** Moves a tracker to the next status (or the one given) and sends the tracker.updated event. */
  advanceTracker(trackerId: string, status?: string): Promise<{ tracker: Json; delivery?: SandboxWebhookDelivery }>;
  setWebhookUrl(url: string | undefined): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startEasyPostSandbox(options: EasyPostSandboxOptions): Promise<EasyPostSandbox> {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.log(`[easypost-sandbox] ${line}`));
  let webhookUrl = options.webhookUrl;
  const state: EasyPostSandboxState = { shipments: new Map(), trackers: new Map(), labels: new Map(), purchases: [], refunds: [] };
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = "";

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${String(error)}`);
      if (!res.headersSent) send(res, 500, errorBody("INTERNAL_SERVER_ERROR", "sandbox failure"));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", baseUrl);
    const method = req.method ?? "GET";
    const path = url.pathname;

    // Public, like EasyPost's S3 label files and track.easypost.com pages.
    const label = /^\/labels\/(shp_[0-9a-f]+)\.pdf$/.exec(path);
    if (method === "GET" && label) {
      const pdf = state.labels.get(label[1]!);
      if (!pdf) return send(res, 404, errorBody("NOT_FOUND", "label not found"));
      res.writeHead(200, { "Content-Type": "application/pdf", "Content-Length": pdf.length });
      return res.end(pdf);
    }
    const track = /^\/track\/(trk_[0-9a-f]+)$/.exec(path);
    if (method === "GET" && track) return sendTrackingPage(res, state.trackers.get(track[1]!));

    if (!authorised(req)) return send(res, 401, errorBody("APIKEY.REQUIRED", "Invalid or missing API Key"));
    const body = method === "POST" ? await readJson(req) : {};
    if (body === undefined) return send(res, 422, errorBody("PARAMETER.INVALID", "the request body is not valid JSON"));

    if (method === "POST" && path === "/v2/addresses") {
      const input = (body.address ?? {}) as SandboxAddressInput;
      const verify = body.verify === true || Array.isArray(body.verify) || body.verify === "true";
      return send(res, 201, addressObject(input, now(), verify));
    }
    if (method === "POST" && path === "/v2/shipments") {
      const input = (body.shipment ?? {}) as { from_address?: SandboxAddressInput; to_address?: SandboxAddressInput; parcel?: SandboxParcelInput; reference?: string; is_return?: boolean };
      const weight = input.parcel?.weight;
      if (typeof weight !== "number" || !(weight > 0)) return send(res, 422, errorBody("PARCEL.WEIGHT.INVALID", "Parcel weight must be greater than 0 ounces", [{ field: "parcel.weight", message: "must be greater than 0" }]));
      if (!input.from_address || !input.to_address) return send(res, 422, errorBody("SHIPMENT.INVALID_PARAMS", "A shipment needs a from_address and a to_address"));
      const shipment = shipmentObject({
        from: addressObject(input.from_address, now(), false),
        to: addressObject(input.to_address, now(), false),
        parcel: parcelObject(input.parcel!, now()),
        reference: input.reference ?? null,
        isReturn: input.is_return === true,
        now: now(),
      });
      state.shipments.set(shipment.id as string, shipment);
      return send(res, 201, shipment);
    }
    const one = /^\/v2\/shipments\/(shp_[0-9a-f]+)(?:\/(buy|refund))?$/.exec(path);
    if (one) {
      const shipment = state.shipments.get(one[1]!);
      if (!shipment) return send(res, 404, errorBody("NOT_FOUND", "The requested resource could not be found."));
      if (method === "GET" && !one[2]) return send(res, 200, shipment);
      if (method === "POST" && one[2] === "buy") return buy(res, shipment, body);
      if (method === "POST" && one[2] === "refund") return refund(res, shipment);
    }
    if (method === "POST" && path === "/v2/trackers") {
      const input = (body.tracker ?? {}) as { tracking_code?: string; carrier?: string };
      if (!input.tracking_code) return send(res, 422, errorBody("TRACKER.TRACKING_CODE.INVALID", "A tracking_code is required"));
      const existing = [...state.trackers.values()].find((t) => t.tracking_code === input.tracking_code);
      if (existing) return send(res, 200, existing);
      const tracker = newTracker(input.tracking_code, input.carrier ?? "USPS", null);
      return send(res, 201, tracker);
    }
    const trackerPath = /^\/v2\/trackers\/(trk_[0-9a-f]+)$/.exec(path);
    if (method === "GET" && trackerPath) {
      const tracker = state.trackers.get(trackerPath[1]!);
      return tracker ? send(res, 200, tracker) : send(res, 404, errorBody("NOT_FOUND", "The requested resource could not be found."));
    }
    const advance = /^\/_sandbox\/trackers\/(trk_[0-9a-f]+)\/advance$/.exec(path);
    if (method === "POST" && advance) {
      if (!state.trackers.has(advance[1]!)) return send(res, 404, errorBody("NOT_FOUND", "no such tracker"));
      const result = await advanceTracker(advance[1]!, typeof body.status === "string" ? body.status : undefined);
      return send(res, 200, { tracker: result.tracker, delivery: result.delivery ?? null });
    }
    return send(res, 404, errorBody("NOT_FOUND", `no route for ${method} ${path}`));
  }

  /** Shipments whose purchase is under way: EasyPost's buy is atomic, so a concurrent one is refused too. */
  const buying = new Set<string>();
  /** Set by holdPurchases: purchases under way wait here before their label is printed; `left` more are held. */
  let hold: { gate: Promise<void>; held: () => void; left: number } | null = null;

  async function buy(res: ServerResponse, shipment: Json, body: Json) {
    // EasyPost buys a shipment once; a second buy is refused, which is what makes a shipment
    // id safe to retry with.
    if (shipment.postage_label || buying.has(shipment.id as string)) return send(res, 422, errorBody("SHIPMENT.POSTAGE.EXISTS", "Postage already exists for this shipment."));
    const rateId = (body.rate as { id?: string } | undefined)?.id;
    const rate = (shipment.rates as Json[]).find((r) => r.id === rateId);
    if (!rate) return send(res, 422, errorBody("SHIPMENT.RATE.NOT_FOUND", "The rate could not be found for this shipment.", [{ field: "rate.id", message: "not found" }]));
    buying.add(shipment.id as string);
    try {
      if (hold && hold.left > 0) {
        hold.left -= 1;
        hold.held();
        await hold.gate;
      }
      await printLabel(shipment, rate);
    } finally {
      buying.delete(shipment.id as string);
    }
    return send(res, 200, shipment);
  }

  async function printLabel(shipment: Json, rate: Json) {
    const code = trackingCode(rate.carrier as string);
    const labelUrl = `${baseUrl}/labels/${shipment.id as string}.pdf`;
    const parcel = shipment.parcel as Json;
    state.labels.set(
      shipment.id as string,
      await sandboxLabelPdf({
        carrier: rate.carrier as string,
        service: rate.service as string,
        trackingCode: code,
        from: shipment.from_address as Json,
        to: shipment.to_address as Json,
        weightOunces: parcel.weight as number,
      }),
    );
    const tracker = newTracker(code, rate.carrier as string, shipment.id as string);
    Object.assign(shipment, {
      tracking_code: code,
      selected_rate: rate,
      postage_label: postageLabelObject(labelUrl, now()),
      tracker,
      status: "unknown",
      updated_at: new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    state.purchases.push({ shipmentId: shipment.id as string, rateId: rate.id as string, at: now() });
    scheduleProgress(tracker.id as string);
  }

  function refund(res: ServerResponse, shipment: Json) {
    if (!shipment.postage_label) return send(res, 422, errorBody("SHIPMENT.REFUND.NOT_PURCHASED", "This shipment has not been purchased."));
    const tracker = shipment.tracker as Json | null;
    // Carriers refund only labels never scanned.
    const used = tracker && tracker.status !== "pre_transit" && tracker.status !== "unknown";
    if (!shipment.refund_status) {
      shipment.refund_status = used ? "rejected" : "submitted";
      if (!used) state.refunds.push(shipment.id as string);
    }
    return send(res, 200, shipment);
  }

  function newTracker(code: string, carrier: string, shipmentId: string | null): Json {
    const tracker = trackerObject({ trackingCode: code, carrier, shipmentId, publicUrl: "", now: now() });
    tracker.public_url = `${baseUrl}/track/${tracker.id as string}`;
    state.trackers.set(tracker.id as string, tracker);
    return tracker;
  }

  function scheduleProgress(trackerId: string) {
    const step = options.trackerStepMs ?? 0;
    if (step <= 0) return;
    const timer = setInterval(() => {
      const tracker = state.trackers.get(trackerId);
      if (!tracker || tracker.status === "delivered") {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      void advanceTracker(trackerId).catch((error: unknown) => log(`tracker ${trackerId}: ${String(error)}`));
    }, step);
    timer.unref();
    timers.add(timer);
  }

  async function advanceTracker(trackerId: string, status?: string) {
    const tracker = state.trackers.get(trackerId);
    if (!tracker) throw new Error(`no tracker ${trackerId}`);
    const previous = tracker.status as string;
    const index = TRACKER_PROGRESSION.indexOf(previous as (typeof TRACKER_PROGRESSION)[number]);
    const next = status ?? TRACKER_PROGRESSION[Math.min(index + 1, TRACKER_PROGRESSION.length - 1)]!;
    const at = new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    tracker.status = next;
    tracker.status_detail = next === "delivered" ? "arrived_at_destination" : next === "in_transit" ? "arrived_at_facility" : "status_update";
    tracker.updated_at = at;
    (tracker.tracking_details as Json[]).push({
      object: "TrackingDetail",
      message: next.replace(/_/g, " "),
      description: null,
      status: next,
      status_detail: tracker.status_detail,
      datetime: at,
      source: tracker.carrier,
      carrier_code: null,
      tracking_location: { object: "TrackingLocation", city: null, state: null, country: "US", zip: null },
    });
    const shipment = tracker.shipment_id ? state.shipments.get(tracker.shipment_id as string) : undefined;
    if (shipment) shipment.tracker = tracker;
    const delivery = await sendEvent(eventObject("tracker.updated", tracker, { status: previous }, now()));
    return { tracker, ...(delivery ? { delivery } : {}) };
  }

  async function sendEvent(event: Json): Promise<SandboxWebhookDelivery | undefined> {
    if (!webhookUrl) return undefined;
    const body = JSON.stringify(event);
    try {
      const response = await fetch(webhookUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "User-Agent": "EasyPost WebHook Agent 1.0", "X-Hmac-Signature": easyPostSignature(body, options.webhookSecret) },
        body,
      });
      await response.arrayBuffer();
      return { eventId: event.id as string, description: event.description as string, status: response.status, ok: response.ok };
    } catch (error) {
      log(`webhook to ${webhookUrl} failed: ${String(error)}`);
      return { eventId: event.id as string, description: event.description as string, status: 0, ok: false };
    }
  }

  function authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? "";
    const match = /^Basic\s+(.+)$/i.exec(header);
    if (!match) return false;
    const [user] = Buffer.from(match[1]!, "base64").toString("utf8").split(":");
    return user === options.apiKey;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? "127.0.0.1"}:${address.port}`;

  return {
    url: baseUrl,
    apiBaseUrl: `${baseUrl}/v2/`,
    state,
    advanceTracker,
    holdPurchases(holdOptions) {
      let release!: () => void;
      let held!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const reached = new Promise<void>((resolve) => (held = resolve));
      hold = { gate, held, left: holdOptions?.count ?? Number.POSITIVE_INFINITY };
      return {
        reached,
        release() {
          hold = null;
          release();
        },
      };
    },
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function sendTrackingPage(res: ServerResponse, tracker: Json | undefined) {
  if (!tracker) return send(res, 404, errorBody("NOT_FOUND", "tracker not found"));
  const rows = (tracker.tracking_details as Json[])
    .map((d) => `<tr><td>${escapeHtml(String(d.datetime))}</td><td>${escapeHtml(String(d.status))}</td><td>${escapeHtml(String(d.message))}</td></tr>`)
    .join("");
  const html = `<!doctype html><meta charset="utf-8"><title>Tracking ${escapeHtml(String(tracker.tracking_code))}</title>
<h1>${escapeHtml(String(tracker.carrier))} ${escapeHtml(String(tracker.tracking_code))}</h1><p>Status: <strong>${escapeHtml(String(tracker.status))}</strong> (EasyPost sandbox)</p>
<table border="1" cellpadding="4"><tr><th>When</th><th>Status</th><th>Detail</th></tr>${rows}</table>`;
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readJson(req: IncomingMessage): Promise<Json | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : undefined;
  } catch {
    return undefined;
  }
}
