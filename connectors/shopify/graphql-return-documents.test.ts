import { Kind, parse, validate, type FieldNode } from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchemaAvailable, adminSchemaPath, loadAdminSchema } from "./admin-schema-loader.js";
import { ALL_DOCUMENTS } from "./graphql-documents.js";
import { REFUND_CREATE_MUTATION, RETURN_DOCUMENTS, RETURN_PROCESS_MUTATION } from "./graphql-return-documents.js";
import { requestedQueryCost } from "./sandbox/query-cost.js";

const specsPresent = adminSchemaAvailable();
if (!specsPresent) console.warn(`SKIPPED return document validation: ${adminSchemaPath()} not found (set SPECS_DIR)`);

function rootField(document: string): FieldNode {
  const op = parse(document).definitions[0]!;
  if (op.kind !== Kind.OPERATION_DEFINITION) throw new Error("expected an operation");
  const field = op.selectionSet.selections[0]!;
  if (field.kind !== Kind.FIELD) throw new Error("expected a field");
  return field;
}

describe("return documents", () => {
  it("are all in ALL_DOCUMENTS, so the sandbox validates them too", () => {
    for (const [name, document] of Object.entries(RETURN_DOCUMENTS)) expect(ALL_DOCUMENTS[name], name).toBe(document);
  });

  it("never use the deprecated returnRefund", () => {
    for (const document of Object.values(RETURN_DOCUMENTS)) expect(document).not.toMatch(/\breturnRefund\b/);
  });

  it("send refundCreate only with @idempotent(key:) and process money through financialTransfer", () => {
    const refund = rootField(REFUND_CREATE_MUTATION);
    expect(refund.name.value).toBe("refundCreate");
    expect(refund.directives?.map((d) => d.name.value)).toEqual(["idempotent"]);
    expect(refund.directives?.[0]?.arguments?.map((a) => a.name.value)).toEqual(["key"]);
    expect(rootField(RETURN_PROCESS_MUTATION).name.value).toBe("returnProcess");
  });

  it("each stays under Shopify's 1000-point single-query cap", () => {
    for (const [name, document] of Object.entries(RETURN_DOCUMENTS)) {
      const doc = parse(document);
      const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (!op || op.kind !== Kind.OPERATION_DEFINITION) continue;
      expect(requestedQueryCost(doc, op, {}), name).toBeLessThanOrEqual(1000);
    }
  });

  describe.skipIf(!specsPresent)("validate against the Admin 2026-04 SDL", () => {
    const schema = loadAdminSchema()!;
    for (const [name, document] of Object.entries(RETURN_DOCUMENTS)) {
      it(`${name} has 0 validation errors`, () => {
        expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
      });
    }

    it("refundCreate's 2026-04 description makes the key mandatory, and returnRefund is deprecated", () => {
      const mutation = schema.getMutationType()!.getFields();
      expect(mutation.refundCreate?.description).toMatch(/As of 2026-04, the idempotency key is required/);
      expect(mutation.returnProcess?.args.map((a) => a.name)).toEqual(["input"]);
      const processInput = schema.getType("ReturnProcessInput");
      expect(processInput && "getFields" in processInput ? Object.keys(processInput.getFields()) : []).toContain("financialTransfer");
    });

    it("a return line without its fulfillment line item is refused (the check can fail)", () => {
      const broken = `mutation X($input: ReturnRequestInput!) { returnRequest(input: $input) { return { id returnLineItems(first: 1) { nodes { fulfillmentLineItem { id } } } } } }`;
      expect(validate(schema, parse(broken)).length).toBeGreaterThan(0);
    });
  });
});
