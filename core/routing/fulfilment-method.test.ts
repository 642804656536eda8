import { describe, expect, it } from "vitest";
import { fulfilmentChoiceOf } from "./fulfilment-method.js";

const stores = [
  { id: "s1", name: "Brooklyn" },
  { id: "s2", name: "Brooklyn Heights" },
  { id: "w1", name: "Reno warehouse" },
];

describe("fulfilmentChoiceOf", () => {
  it("reads pickup and curbside from shipping lines and the store they name", () => {
    expect(fulfilmentChoiceOf([{ title: "Standard shipping", code: "STANDARD" }], stores)).toEqual({ method: "ship" });
    expect(fulfilmentChoiceOf([{ title: "Pickup at Brooklyn Heights" }], stores)).toEqual({ method: "pickup", pickupLocationId: "s2" });
    expect(fulfilmentChoiceOf([{ title: "Brooklyn", deliveryCategory: "pick-up" }], stores)).toEqual({ method: "pickup", pickupLocationId: "s1" });
    expect(fulfilmentChoiceOf([{ title: "Curbside pickup", code: "brooklyn" }], stores)).toEqual({ method: "curbside", pickupLocationId: "s1" });
    expect(fulfilmentChoiceOf([{ title: "Click & Collect" }], stores)).toEqual({ method: "pickup" });
    expect(fulfilmentChoiceOf([], stores)).toEqual({ method: "ship" });
  });
});
