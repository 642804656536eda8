import bwipjs from "bwip-js/node";
import PDFDocument from "pdfkit";
import type { PickList } from "../../core/shipping/pick-list";

/**
 * The printable pick list: A4/Letter-neutral margins, one row per (bin, SKU) with a Code 128
 * barcode of what the scanner reads, then the tote slots with each shipment's tracking
 * barcode. pdfkit's bundled standard fonts; nothing is fetched.
 */
export async function pickListPdf(list: PickList, printedAt: Date): Promise<Buffer> {
  const doc = new PDFDocument({ size: "LETTER", margin: 36, info: { Title: `Pick list — wave ${list.waveNumber} — ${list.locationName}`, Producer: "Switchyard" } });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));

  doc.font("Helvetica-Bold").fontSize(18).text(`Pick list — Wave ${list.waveNumber}`);
  doc.font("Helvetica").fontSize(10).text(`${list.locationName} · ${list.shipments.length} shipments · ${list.totalUnits} units · printed ${printedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`);
  doc.moveDown(0.8);

  const columns = { bin: 36, sku: 96, item: 196, qty: 356, slots: 392, code: 462 };
  const header = () => {
    doc.font("Helvetica-Bold").fontSize(9);
    const y = doc.y;
    doc.text("Bin", columns.bin, y).text("SKU", columns.sku, y).text("Item", columns.item, y).text("Qty", columns.qty, y).text("Slots", columns.slots, y).text("Scan", columns.code, y);
    doc.moveTo(36, doc.y + 2).lineTo(576, doc.y + 2).stroke();
    doc.moveDown(0.4);
  };
  header();
  for (const line of list.lines) {
    if (doc.y > 700) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    doc.font("Helvetica-Bold").fontSize(11).text(line.bin ?? "—", columns.bin, y, { width: 58 });
    doc.font("Helvetica").fontSize(9).text(line.sku, columns.sku, y, { width: 98 });
    doc.text(line.title, columns.item, y, { width: 156, height: 24, ellipsis: true });
    doc.font("Helvetica-Bold").fontSize(11).text(String(line.quantity), columns.qty, y, { width: 30 });
    doc.font("Helvetica").fontSize(9).text(line.slots.map((s) => `${s.slot}×${s.quantity}`).join("  "), columns.slots, y, { width: 68 });
    doc.image(await barcode(line.scanCode), columns.code, y, { fit: [110, 26] });
    doc.y = y + 32;
  }

  doc.moveDown(1);
  doc.font("Helvetica-Bold").fontSize(12).text("Tote slots", 36);
  doc.moveDown(0.3);
  for (const shipment of list.shipments) {
    if (doc.y > 700) doc.addPage();
    const y = doc.y;
    doc.font("Helvetica-Bold").fontSize(11).text(`Slot ${shipment.slot}`, 36, y);
    doc.font("Helvetica").fontSize(9).text(`Order ${shipment.orderNumber} · ${shipment.units} units`, 96, y);
    if (shipment.trackingNumber) doc.image(await barcode(shipment.trackingNumber), 300, y, { fit: [200, 26] });
    doc.y = y + 32;
  }
  doc.end();
  return done;
}

function barcode(text: string): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid: "code128", text, scale: 2, height: 8, includetext: true, textxalign: "center", textsize: 8 });
}
