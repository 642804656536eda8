import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket.js";

describe("TokenBucket", () => {
  it("allows the burst, then one request per 1/rate seconds, and says how long to wait", () => {
    let t = 0;
    const bucket = new TokenBucket(0.5, 3, () => t);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0, 0]);
    expect(bucket.tryTake()).toBe(2000);
    t += 1999;
    expect(bucket.tryTake()).toBe(1);
    t += 1;
    expect(bucket.tryTake()).toBe(0);
  });

  it("never holds more than the burst however long it rests", () => {
    let t = 0;
    const bucket = new TokenBucket(10, 2, () => t);
    t += 3_600_000;
    expect(bucket.available()).toBe(2);
  });

  it("follows a rate the server announces and empties on a 429", () => {
    const t = 0;
    const bucket = new TokenBucket(1, 5, () => t);
    bucket.drain();
    expect(bucket.tryTake()).toBe(1000);
    bucket.setRate(4);
    expect(bucket.tryTake()).toBe(250);
    bucket.setRate(Number.NaN);
    expect(bucket.rate).toBe(4);
  });
});
