import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { loadPickList } from "../../db/repositories/pick-wave-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { getDatabase } from "../db.server";
import { pickListPdf } from "../documents/pick-list-pdf.server";

/** GET /app/pick-waves/:waveId.pdf — the wave's printable pick list. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const id = z.guid().safeParse(params.waveId);
  const list = id.success ? await loadPickList(getDatabase(), shop.id, id.data) : null;
  if (!list) return new Response("No such pick wave in this shop", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const pdf = await pickListPdf(list, new Date());
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="pick-list-wave-${list.waveNumber}.pdf"`,
      "Cache-Control": "no-store",
    },
  });
};
