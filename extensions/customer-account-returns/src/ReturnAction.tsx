import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { money, returnsApi, type OrderReturns, type Quote, type ReturnRequest } from "./returns-api";

/**
 * The return flow inside the customer's account: choose lines, quantities and a reason, pick a
 * refund, store credit or an exchange, see the outcome and fees, then submit and see the status
 * and label. Every decision is the server's; this only shows it.
 */
export default async () => {
  render(<ReturnAction />, document.body);
};

/** The value of the Polaris field that fired the event. */
const valueOf = (event: Event): string => (event.currentTarget as { value?: string } | null)?.value ?? "";

type Step = { kind: "loading" } | { kind: "choose" } | { kind: "quoted"; quote: Quote } | { kind: "done"; rmaNumber: string } | { kind: "error"; message: string };

function ReturnAction() {
  const token = () => shopify.sessionToken.get();
  const orderId = shopify.orderId;
  const [data, setData] = useState<OrderReturns | null>(null);
  const [step, setStep] = useState<Step>({ kind: "loading" });
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [exchanges, setExchanges] = useState<Record<string, string>>({});
  const [resolution, setResolution] = useState<ReturnRequest["resolution"]>("refund");
  const [busy, setBusy] = useState(false);

  const reload = () =>
    returnsApi
      .load(token, orderId)
      .then((loaded) => {
        setData(loaded);
        setStep({ kind: "choose" });
      })
      .catch((error: Error) => setStep({ kind: "error", message: error.message }));
  useEffect(() => {
    void reload();
  }, []);

  const request = (): ReturnRequest => ({
    resolution,
    lines: Object.entries(quantities)
      .filter(([, quantity]) => quantity > 0)
      .map(([orderLineId, quantity]) => ({
        orderLineId,
        quantity,
        reason: reasons[orderLineId] ?? "other",
        ...(resolution === "exchange" && exchanges[orderLineId] ? { exchangeVariantId: exchanges[orderLineId] } : {}),
      })),
  });

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      setStep({ kind: "error", message: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const quote = () => act(async () => setStep({ kind: "quoted", quote: (await returnsApi.quote(token, orderId, request())).quote }));
  const submit = () =>
    act(async () => {
      const created = await returnsApi.submit(token, orderId, request());
      setStep({ kind: "done", rmaNumber: created.rmaNumber });
      await reload();
      setStep({ kind: "done", rmaNumber: created.rmaNumber });
    });

  const chosen = request().lines.length > 0;
  const primary =
    step.kind === "choose" ? (
      <s-button slot="primary-action" variant="primary" disabled={!chosen || busy} loading={busy} onClick={quote}>
        See what I get
      </s-button>
    ) : step.kind === "quoted" && step.quote.acceptable ? (
      <s-button slot="primary-action" variant="primary" loading={busy} onClick={submit}>
        Request return
      </s-button>
    ) : (
      <s-button slot="primary-action" variant="primary" onClick={() => shopify.close()}>
        Close
      </s-button>
    );

  return (
    <s-customer-account-action heading={data ? `Return items from ${data.number}` : "Return items"}>
      <s-stack gap="base">
        {step.kind === "loading" ? <s-spinner /> : null}
        {step.kind === "error" ? <s-banner tone="critical">{step.message}</s-banner> : null}
        {data && data.returns.length > 0 ? (
          <s-section heading="Your returns">
            {data.returns.map((rma) => (
              <s-stack key={rma.id} direction="inline" gap="base">
                <s-text>{rma.rmaNumber}</s-text>
                <s-badge>{rma.status.replace(/_/g, " ")}</s-badge>
                {rma.labelUrl ? <s-link href={rma.labelUrl}>Print label</s-link> : <s-text color="subdued">{rma.trackingNumber ? `${rma.carrier ?? ""} ${rma.trackingNumber}` : "Label coming"}</s-text>}
                {rma.trackingUrl ? <s-link href={rma.trackingUrl}>Track parcel</s-link> : null}
              </s-stack>
            ))}
          </s-section>
        ) : null}
        {data && step.kind === "choose" ? (
          <s-stack gap="base">
            {data.lines.filter((line) => line.returnable > 0).length === 0 ? <s-text>Nothing on this order can be returned right now.</s-text> : null}
            {data.lines
              .filter((line) => line.returnable > 0)
              .map((line) => (
                <s-section key={line.id} heading={line.title}>
                  <s-stack gap="small-200">
                    <s-number-field
                      label={`Quantity to return (up to ${line.returnable})`}
                      min={0}
                      max={line.returnable}
                      value={String(quantities[line.id] ?? 0)}
                      onChange={(event) => setQuantities((q) => ({ ...q, [line.id]: Math.max(0, Math.min(line.returnable, Math.trunc(Number(valueOf(event)) || 0))) }))}
                    />
                    <s-select label="Reason" value={reasons[line.id] ?? ""} onChange={(event) => setReasons((r) => ({ ...r, [line.id]: valueOf(event) }))}>
                      <s-option value="">Choose a reason</s-option>
                      {data.reasons.map((reason) => (
                        <s-option key={reason.value} value={reason.value}>
                          {reason.label}
                        </s-option>
                      ))}
                    </s-select>
                    {resolution === "exchange" && line.exchangeOptions.length > 0 ? (
                      <s-select label="Exchange for" value={exchanges[line.id] ?? ""} onChange={(event) => setExchanges((x) => ({ ...x, [line.id]: valueOf(event) }))}>
                        <s-option value="">Choose</s-option>
                        {line.exchangeOptions.map((option) => (
                          <s-option key={option.variantId} value={option.variantId}>
                            {option.title}
                          </s-option>
                        ))}
                      </s-select>
                    ) : null}
                  </s-stack>
                </s-section>
              ))}
            <s-select label="I would like" value={resolution} onChange={(event) => setResolution(valueOf(event) as ReturnRequest["resolution"])}>
              <s-option value="refund">A refund</s-option>
              <s-option value="store_credit">Store credit</s-option>
              <s-option value="exchange">An exchange</s-option>
            </s-select>
          </s-stack>
        ) : null}
        {data && step.kind === "quoted" ? <QuoteSummary quote={step.quote} currency={data.currency} /> : null}
        {step.kind === "done" ? <s-banner tone="success">{`Return ${step.rmaNumber} requested. Your label will appear here once the return is approved.`}</s-banner> : null}
      </s-stack>
      {primary}
      {step.kind === "quoted" ? (
        <s-button slot="secondary-actions" onClick={() => setStep({ kind: "choose" })}>
          Back
        </s-button>
      ) : null}
    </s-customer-account-action>
  );
}

function QuoteSummary({ quote, currency }: { quote: Quote; currency: string }) {
  if (!quote.acceptable) {
    return (
      <s-banner tone="warning">
        {quote.lines
          .filter((line) => !line.accepted)
          .map((line) => (
            <s-paragraph key={line.orderLineId}>{line.explanation}</s-paragraph>
          ))}
      </s-banner>
    );
  }
  return (
    <s-stack gap="small-200">
      {quote.restockingFeeMinor > 0 ? <s-text>{`Restocking fee: −${money(quote.restockingFeeMinor, currency)}`}</s-text> : null}
      {quote.returnShippingFeeMinor > 0 ? <s-text>{`Return label: −${money(quote.returnShippingFeeMinor, currency)}`}</s-text> : null}
      {quote.storeCreditBonusMinor > 0 ? <s-text>{`Store credit bonus: +${money(quote.storeCreditBonusMinor, currency)}`}</s-text> : null}
      <s-text type="strong">{quote.payoutMinor > 0 ? `You get ${money(quote.payoutMinor, currency)}` : "Your exchange, at no cost"}</s-text>
      {quote.explanation.map((line, index) => (
        <s-paragraph key={index}>{line}</s-paragraph>
      ))}
    </s-stack>
  );
}
