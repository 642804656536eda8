import { describe, expect, it } from "vitest";
import { rankLineVariants } from "./line-variant-match";

const candidate = (rank: number, channel: string | null, key: string, variant_id: string) => ({ rank, channel, key, variant_id });

describe("choosing a line's variant among what the shop's sources name", () => {
  it("takes the merchant's mapping of the channel identity over a listing, the catalogue GID, a SKU mapping and the SKU", () => {
    const line = { channel: "shopify", channelVariantRef: "gid://shopify/ProductVariant/1", sku: "MUG", carriesStock: true };
    const all = [
      candidate(5, null, "MUG", "v5"),
      candidate(4, "shopify", "MUG", "v4"),
      candidate(3, "shopify", "gid://shopify/ProductVariant/1", "v3"),
      candidate(2, "shopify", "gid://shopify/ProductVariant/1", "v2"),
      candidate(1, "shopify", "gid://shopify/ProductVariant/1", "v1"),
    ];
    expect(rankLineVariants([line], all)).toEqual(["v1"]);
    expect(rankLineVariants([line], all.slice(0, 4))).toEqual(["v2"]);
    expect(rankLineVariants([line], all.slice(0, 3))).toEqual(["v3"]);
    expect(rankLineVariants([line], all.slice(0, 2))).toEqual(["v4"]);
    expect(rankLineVariants([line], all.slice(0, 1))).toEqual(["v5"]);
  });

  it("reads another channel's listing or mapping as no match, and the Shopify catalogue GID only for Shopify lines", () => {
    const amazon = { channel: "amazon", channelVariantRef: "gid://shopify/ProductVariant/1", sku: "MUG", carriesStock: true };
    const found = [candidate(1, "ebay", "gid://shopify/ProductVariant/1", "e1"), candidate(2, "ebay", "gid://shopify/ProductVariant/1", "e2"), candidate(3, "shopify", "gid://shopify/ProductVariant/1", "s3")];
    expect(rankLineVariants([amazon], found)).toEqual([null]);
    expect(rankLineVariants([amazon], [...found, candidate(5, null, "MUG", "v5")])).toEqual(["v5"]);
  });

  it("breaks a tie within one source by the lowest variant id, whatever order the rows come in", () => {
    const line = { channel: "ebay", channelVariantRef: "item-1", sku: null, carriesStock: true };
    expect(rankLineVariants([line], [candidate(2, "ebay", "item-1", "b"), candidate(2, "ebay", "item-1", "a")])).toEqual(["a"]);
    expect(rankLineVariants([line], [candidate(2, "ebay", "item-1", "a"), candidate(2, "ebay", "item-1", "b")])).toEqual(["a"]);
  });

  it("gives no variant to a line that carries no stock or names nothing, and keeps the lines' order", () => {
    const giftCard = { channel: "shopify", channelVariantRef: null, sku: "GIFT", carriesStock: false };
    const blank = { channel: "shopify", channelVariantRef: null, sku: "", carriesStock: true };
    const mug = { channel: "shopify", channelVariantRef: null, sku: "MUG", carriesStock: true };
    const rows = [candidate(5, null, "GIFT", "g"), candidate(5, null, "MUG", "m"), candidate(5, null, "", "blank")];
    expect(rankLineVariants([giftCard, blank, mug], rows)).toEqual([null, null, "m"]);
  });
});
