import { describe, expect, it } from "vitest";
import { nextLabelPurchaseStep, labelIdempotencyKey } from "./label-purchase-decision";
import { SHIPMENT_EVENTS, SHIPMENT_STATUSES, shipmentTransition, trackingEffect, type ShipmentEvent, type ShipmentStatus } from "./shipment-state-machine";

describe("shipment transitions table", () => {
  const allowed: Record<ShipmentEvent, Partial<Record<ShipmentStatus, ShipmentStatus>>> = {
    buy_label: { pending: "label_purchased" },
    void_label: { label_purchased: "pending" },
    ship: { pending: "shipped", label_purchased: "shipped" },
    deliver: { shipped: "delivered" },
    cancel: { pending: "cancelled", label_purchased: "cancelled" },
  };
  for (const event of SHIPMENT_EVENTS) {
    for (const status of SHIPMENT_STATUSES) {
      const expected = allowed[event][status];
      it(`${event} from ${status} -> ${expected ?? "refused"}`, () => {
        const outcome = shipmentTransition(status, event);
        if (expected) expect(outcome).toEqual({ ok: true, to: expected });
        else expect(outcome.ok).toBe(false);
      });
    }
  }

  it("names the status when it explains the refusal better", () => {
    expect(shipmentTransition("cancelled", "ship")).toMatchObject({ reason: "shipment_cancelled" });
    expect(shipmentTransition("shipped", "void_label")).toMatchObject({ reason: "no_label_to_void" });
    expect(shipmentTransition("label_purchased", "buy_label")).toMatchObject({ reason: "label_already_purchased" });
  });

  it("maps tracker statuses to what they mean for the shipment", () => {
    expect(["unknown", "pre_transit"].map(trackingEffect)).toEqual(["none", "none"]);
    expect(["in_transit", "out_for_delivery", "available_for_pickup"].map(trackingEffect)).toEqual(["ship", "ship", "ship"]);
    expect(trackingEffect("delivered")).toBe("deliver");
    expect(["return_to_sender", "failure"].map(trackingEffect)).toEqual(["problem", "problem"]);
  });
});

describe("label purchase step after a retry or a crash", () => {
  it.each([
    [null, { step: "shop_and_buy", attempt: 1 }],
    [{ state: "buying", attempt: 1 }, { step: "reconcile_then_buy", attempt: 1 }],
    [{ state: "purchased", attempt: 2 }, { step: "already_purchased" }],
    [{ state: "failed", attempt: 1 }, { step: "shop_and_buy", attempt: 2 }],
    [{ state: "voided", attempt: 3 }, { step: "shop_and_buy", attempt: 4 }],
  ] as const)("%j -> %j", (latest, expected) => {
    expect(nextLabelPurchaseStep(latest)).toEqual(expected);
  });

  it("keys each attempt, so the same attempt can never buy twice", () => {
    expect(labelIdempotencyKey("s1", 1)).toBe("label:s1:1");
    expect(labelIdempotencyKey("s1", 2)).not.toBe(labelIdempotencyKey("s1", 1));
  });
});
