import { describe, expect, it } from "vitest";
import { decimalToMinorUnits, minorUnitsToDecimal } from "./decimal-money.js";

describe("decimalToMinorUnits", () => {
  it.each([
    ["19.99", "USD", 1999],
    ["0.29", "USD", 29], // 0.29 * 100 = 28.999999999999996 as a float
    ["1.1", "USD", 110],
    ["10", "USD", 1000],
    ["1000", "JPY", 1000],
    ["1000.0", "JPY", 1000],
    ["1.5", "KWD", 1500],
    ["12.345", "BHD", 12345],
    ["0.00", "EUR", 0],
    ["-5.25", "USD", -525],
    [12.5, "USD", 1250],
    ["19.990", "USD", 1999],
  ] as const)("%s %s -> %d", (amount, currency, expected) => {
    expect(decimalToMinorUnits(amount, currency)).toEqual({ ok: true, value: expected });
  });

  it("refuses amounts it cannot represent instead of rounding them", () => {
    expect(decimalToMinorUnits("1.005", "USD")).toMatchObject({ ok: false, reason: "amount_too_precise" });
    expect(decimalToMinorUnits("1000.5", "JPY")).toMatchObject({ ok: false, reason: "amount_too_precise" });
    expect(decimalToMinorUnits("abc", "USD")).toMatchObject({ ok: false, reason: "malformed_amount" });
    expect(decimalToMinorUnits("1e3", "USD")).toMatchObject({ ok: false, reason: "malformed_amount" });
    expect(decimalToMinorUnits("", "USD")).toMatchObject({ ok: false, reason: "malformed_amount" });
    expect(decimalToMinorUnits("99999999999999999", "USD")).toMatchObject({ ok: false, reason: "amount_too_large" });
  });

  it("round-trips through minorUnitsToDecimal", () => {
    expect(minorUnitsToDecimal(1999, "USD")).toBe("19.99");
    expect(minorUnitsToDecimal(5, "USD")).toBe("0.05");
    expect(minorUnitsToDecimal(1000, "JPY")).toBe("1000");
    expect(minorUnitsToDecimal(1500, "KWD")).toBe("1.500");
    expect(minorUnitsToDecimal(-525, "USD")).toBe("-5.25");
  });
});
