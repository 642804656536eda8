import { useCallback, useRef, useState } from "react";
import { Banner, BlockStack, Modal, ProgressBar, Text } from "@shopify/polaris";

/** Matches EXPORT_TOTAL_HEADER in app/exports/order-csv-export.server.ts (kept out of the client bundle). */
const EXPORT_TOTAL_HEADER = "X-Export-Total";

type ExportState =
  | { phase: "idle" }
  | { phase: "running"; written: number; total: number }
  | { phase: "done"; written: number }
  | { phase: "failed"; message: string };

/**
 * The Orders page's CSV export: downloads /app/orders/export with the page's filters, counting
 * rows as they arrive against the total the server announced, then saves the file. Progress is
 * real (rows received), not a timer.
 */
export function useOrderExport(filterQuery: string) {
  const [state, setState] = useState<ExportState>({ phase: "idle" });
  const abort = useRef<AbortController | null>(null);

  const start = useCallback(async () => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setState({ phase: "running", written: 0, total: 0 });
    try {
      const response = await fetch(`/app/orders/export${filterQuery ? `?${filterQuery}` : ""}`, { signal: controller.signal });
      if (!response.ok || !response.body) throw new Error(`the server answered ${response.status}`);
      const total = Number(response.headers.get(EXPORT_TOTAL_HEADER) ?? 0);
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let newlines = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        for (const byte of value) if (byte === 10) newlines++;
        // The first line is the header.
        setState({ phase: "running", written: Math.max(0, newlines - 1), total });
      }
      const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: "text/csv" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `orders-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      URL.revokeObjectURL(url);
      setState({ phase: "done", written: Math.max(0, newlines - 1) });
    } catch (error) {
      if (controller.signal.aborted) return setState({ phase: "idle" });
      setState({ phase: "failed", message: error instanceof Error ? error.message : String(error) });
    }
  }, [filterQuery]);

  const close = useCallback(() => {
    abort.current?.abort();
    setState({ phase: "idle" });
  }, []);

  const modal = (
    <Modal open={state.phase !== "idle"} onClose={close} title="Export orders to CSV" secondaryActions={[{ content: state.phase === "running" ? "Cancel" : "Close", onAction: close }]}>
      <Modal.Section>
        <BlockStack gap="300">
          {state.phase === "running" ? (
            <>
              <ProgressBar progress={state.total > 0 ? Math.min(100, (state.written / state.total) * 100) : 0} />
              <Text as="p" tone="subdued">
                {state.written.toLocaleString()} of {state.total.toLocaleString()} orders
              </Text>
            </>
          ) : null}
          {state.phase === "done" ? <Text as="p">{state.written.toLocaleString()} orders exported.</Text> : null}
          {state.phase === "failed" ? (
            <Banner tone="critical" title="The export stopped">
              <p>{state.message}. Nothing partial was saved; try again.</p>
            </Banner>
          ) : null}
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
  return { start, modal, running: state.phase === "running" };
}
