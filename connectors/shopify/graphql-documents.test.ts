import { Kind, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchemaAvailable, adminSchemaPath, loadAdminSchema } from "./admin-schema-loader.js";
import { ALL_DOCUMENTS, INVENTORY_SET_QUANTITIES_MUTATION } from "./graphql-documents.js";
import { requestedQueryCost } from "./sandbox/query-cost.js";
import * as documents from "./graphql-documents.js";

const specsPresent = adminSchemaAvailable();
if (!specsPresent) console.warn(`SKIPPED schema validation: ${adminSchemaPath()} not found (set SPECS_DIR)`);

describe("graphql documents", () => {
  it("lists every exported document in ALL_DOCUMENTS", () => {
    const exported = Object.entries(documents).filter(([name, value]) => typeof value === "string" && /_(QUERY|MUTATION)$/.test(name));
    expect(exported.length).toBeGreaterThanOrEqual(13);
    for (const [name, value] of exported) expect(ALL_DOCUMENTS[name], name).toBe(value);
  });

  describe.skipIf(!specsPresent)(`validate against the Admin 2026-04 SDL (needs ${adminSchemaPath()})`, () => {
    const schema = loadAdminSchema()!;
    for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
      it(`${name} has 0 validation errors`, () => {
        const errors = validate(schema, parse(document));
        expect(errors.map((e) => e.message)).toEqual([]);
      });
    }

    it("rejects a document with a field that does not exist (the check can fail)", () => {
      const errors = validate(schema, parse("{ orders(first: 1) { nodes { notAField } } }"));
      expect(errors.length).toBeGreaterThan(0);
    });

    it("inventorySetQuantities carries @idempotent(key:) and changeFromQuantity is part of the 2026-04 input", () => {
      const doc = parse(INVENTORY_SET_QUANTITIES_MUTATION);
      const op = doc.definitions[0]!;
      if (op.kind !== Kind.OPERATION_DEFINITION) throw new Error("expected an operation");
      const field = op.selectionSet.selections[0]!;
      if (field.kind !== Kind.FIELD) throw new Error("expected a field");
      expect(field.directives?.map((d) => d.name.value)).toEqual(["idempotent"]);
      const input = schema.getType("InventoryQuantityInput");
      expect(input && "getFields" in input ? Object.keys(input.getFields()) : []).toContain("changeFromQuantity");
    });
  });

  it("each query stays under Shopify's 1000-point single-query cap at the connector's page sizes", () => {
    const variables: Record<string, Record<string, unknown>> = {
      LOCATIONS_QUERY: { first: 100 },
      PRODUCTS_QUERY: { first: 25, variantsFirst: 10 },
      PRODUCT_VARIANTS_QUERY: { first: 250 },
      LOCATION_INVENTORY_LEVELS_QUERY: { first: 100 },
      ORDERS_QUERY: { first: 5, lineItemsFirst: 15 },
      ORDER_LINE_ITEMS_QUERY: { first: 90 },
    };
    for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
      const doc = parse(document);
      const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (!op || op.kind !== Kind.OPERATION_DEFINITION) continue;
      const cost = requestedQueryCost(doc, op, variables[name] ?? {});
      expect(cost, name).toBeLessThanOrEqual(1000);
    }
  });
});
