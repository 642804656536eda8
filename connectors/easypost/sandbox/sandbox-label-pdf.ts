import bwipjs from "bwip-js/node";
import PDFDocument from "pdfkit";

/**
 * The 4×6 inch label the sandbox "prints" for a bought shipment, so the admin's label link
 * opens a real document: addresses, service, and the tracking number as a Code 128 barcode.
 * Fonts are pdfkit's bundled standard fonts; nothing is fetched.
 */
export async function sandboxLabelPdf(input: {
  carrier: string;
  service: string;
  trackingCode: string;
  from: Record<string, unknown>;
  to: Record<string, unknown>;
  weightOunces: number;
}): Promise<Buffer> {
  const barcode = await bwipjs.toBuffer({ bcid: "code128", text: input.trackingCode, scale: 3, height: 14, includetext: true, textxalign: "center" });
  const doc = new PDFDocument({ size: [288, 432], margin: 14, info: { Title: `Label ${input.trackingCode}`, Producer: "Switchyard EasyPost sandbox" } });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.font("Helvetica-Bold").fontSize(16).text(`${input.carrier} ${input.service}`);
  doc.font("Helvetica").fontSize(7).text("SANDBOX LABEL — NOT VALID FOR POSTAGE");
  doc.moveDown(0.5).fontSize(8).text("FROM:").text(addressLines(input.from).join("\n"));
  doc.moveDown(0.8).font("Helvetica-Bold").fontSize(11).text("SHIP TO:").text(addressLines(input.to).join("\n"));
  doc.moveDown(0.5).font("Helvetica").fontSize(8).text(`Weight ${input.weightOunces} oz`);
  doc.image(barcode, 14, 300, { fit: [260, 90], align: "center" });
  doc.end();
  return done;
}

function addressLines(address: Record<string, unknown>): string[] {
  const text = (key: string) => (typeof address[key] === "string" ? (address[key] as string) : "");
  return [text("name"), text("company"), text("street1"), text("street2"), [text("city"), text("state"), text("zip")].filter(Boolean).join(" "), text("country")].filter(Boolean);
}
