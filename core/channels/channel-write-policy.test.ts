import { describe, expect, it } from "vitest";
import { CHANNEL_FAILURES } from "../ports/channel-connector-port";
import { channelWriteFailureDecision, channelWriteWording } from "./channel-write-policy";

describe("channel write failure decision", () => {
  it.each(CHANNEL_FAILURES)("%s on a first attempt", (reason) => {
    const expected = reason === "rate_limited" || reason === "unavailable" ? "retry" : "surface";
    expect(channelWriteFailureDecision(reason, { attempts: 1, maxAttempts: 8 })).toBe(expected);
  });

  it("surfaces a transport failure on the last attempt instead of dropping it", () => {
    expect(channelWriteFailureDecision("unavailable", { attempts: 7, maxAttempts: 8 })).toBe("retry");
    expect(channelWriteFailureDecision("unavailable", { attempts: 8, maxAttempts: 8 })).toBe("surface");
    expect(channelWriteFailureDecision("rate_limited", { attempts: 8, maxAttempts: 8 })).toBe("surface");
  });

  it("words the timeline entries", () => {
    expect(channelWriteWording.sent("confirm_fulfillment", "shopify", "tracking UPS 1Z")).toBe("Fulfillment sent to Shopify (tracking UPS 1Z)");
    expect(channelWriteWording.sent("cancel_order", "shopify")).toBe("Cancellation sent to Shopify");
    expect(channelWriteWording.noConnector("cancel_order", "amazon")).toBe("Cancellation not sent: Amazon connector not available yet");
  });
});
