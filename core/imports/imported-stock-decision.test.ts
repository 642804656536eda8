import { describe, expect, it } from "vitest";
import { decideImportedStock } from "./imported-stock-decision";

describe("decideImportedStock", () => {
  it("receives the channel's whole on hand the first time a level is imported", () => {
    expect(decideImportedStock({ channelOnHand: 12, ourOnHand: 0, levelHasMovements: false })).toEqual({ action: "receive", quantity: 12 });
  });

  it("changes nothing when the figures already agree", () => {
    expect(decideImportedStock({ channelOnHand: 5, ourOnHand: 5, levelHasMovements: true })).toEqual({ action: "unchanged" });
    expect(decideImportedStock({ channelOnHand: 0, ourOnHand: 0, levelHasMovements: false })).toEqual({ action: "unchanged" });
  });

  it("keeps Switchyard's figure once the level has movements: Switchyard is the stock master", () => {
    expect(decideImportedStock({ channelOnHand: 100, ourOnHand: 7, levelHasMovements: true })).toMatchObject({ action: "skip", reason: "switchyard_is_stock_master" });
  });

  it("does not receive a negative on hand (oversold in the channel)", () => {
    expect(decideImportedStock({ channelOnHand: -3, ourOnHand: 0, levelHasMovements: false })).toMatchObject({ action: "skip", reason: "negative_on_hand" });
  });
});
