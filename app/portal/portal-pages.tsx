import type { ReactNode } from "react";
import { RETURN_REASON_LABELS, RETURN_REASONS, type ReturnResolution } from "../../core/returns/return-rules";
import type { ReturnQuote } from "../../core/returns/return-eligibility-policy";
import type { CustomerOrderReturnView } from "../../db/queries/return-portal-queries";
import { formatMoney, humanize } from "../components/format";

/**
 * The storefront returns portal, served through Shopify's app proxy as plain HTML forms: no
 * script, so it works inside any theme and through the proxy, which signs every request.
 * Rendered with React's static renderer, which escapes everything a customer typed.
 */

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem;color:#202223}
h1{font-size:1.5rem}fieldset{border:1px solid #c9cccf;border-radius:8px;margin:1rem 0;padding:1rem}
label{display:block;margin:.5rem 0}input,select{font:inherit;padding:.4rem;border:1px solid #8c9196;border-radius:4px}
button{font:inherit;background:#008060;color:#fff;border:0;border-radius:4px;padding:.6rem 1.2rem;cursor:pointer}
.muted{color:#6d7175}.error{color:#d72c0d}.box{background:#f6f6f7;border-radius:8px;padding:1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #e1e3e5}`;

function Shell({ shopName, children }: { shopName: string; children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`Returns · ${shopName}`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <p className="muted">{shopName}</p>
        {children}
      </body>
    </html>
  );
}

export function LookupPage({ shopName, action, message }: { shopName: string; action: string; message?: string }) {
  return (
    <Shell shopName={shopName}>
      <h1>Start a return</h1>
      <p>Enter your order number and the email you ordered with.</p>
      {message ? <p className="error" role="alert">{message}</p> : null}
      <form method="post" action={action}>
        <input type="hidden" name="intent" value="lookup" />
        <label>
          Order number
          <br />
          <input name="orderNumber" required maxLength={64} placeholder="#1001" autoComplete="off" />
        </label>
        <label>
          Email
          <br />
          <input name="email" type="email" required maxLength={320} autoComplete="email" />
        </label>
        <button type="submit">Find my order</button>
      </form>
    </Shell>
  );
}

export function ChooseItemsPage({ shopName, action, ticket, view, message }: { shopName: string; action: string; ticket: string; view: CustomerOrderReturnView; message?: string }) {
  const returnable = view.lines.filter((line) => line.returnable > 0);
  return (
    <Shell shopName={shopName}>
      <h1>{`Return items from order ${view.number}`}</h1>
      {message ? <p className="error" role="alert">{message}</p> : null}
      <ReturnsSoFar view={view} />
      {returnable.length === 0 ? (
        <p>Nothing on this order can be returned right now: items must be delivered first, and each item can be returned once.</p>
      ) : (
        <form method="post" action={action}>
          <input type="hidden" name="intent" value="quote" />
          <input type="hidden" name="ticket" value={ticket} />
          <fieldset>
            <legend>Items</legend>
            {returnable.map((line) => (
              <div key={line.id} className="box">
                <strong>{line.title}</strong> <span className="muted">{line.sku ?? ""}</span>
                <label>
                  {`Quantity to return (up to ${line.returnable})`}
                  <br />
                  <select name={`qty:${line.id}`} defaultValue="0">
                    {Array.from({ length: Math.min(line.returnable, 50) + 1 }, (_, n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Reason
                  <br />
                  <select name={`reason:${line.id}`} defaultValue="size_too_small">
                    {RETURN_REASONS.map((reason) => (
                      <option key={reason} value={reason}>
                        {RETURN_REASON_LABELS[reason]}
                      </option>
                    ))}
                  </select>
                </label>
                {line.exchangeOptions.length > 0 ? (
                  <label>
                    Exchange for (only if you choose an exchange)
                    <br />
                    <select name={`exchange:${line.id}`} defaultValue="">
                      <option value="">—</option>
                      {line.exchangeOptions.map((option) => (
                        <option key={option.variantId} value={option.variantId}>
                          {`${option.title} (${option.sku})`}
                        </option>
                      ))}
                    </select>
                  </label>
                ) : null}
              </div>
            ))}
          </fieldset>
          <fieldset>
            <legend>What would you like?</legend>
            {(["refund", "store_credit", "exchange"] as const).map((resolution) => (
              <label key={resolution}>
                <input type="radio" name="resolution" value={resolution} defaultChecked={resolution === "refund"} /> {resolutionLabel(resolution)}
              </label>
            ))}
          </fieldset>
          <button type="submit">See what I get</button>
        </form>
      )}
    </Shell>
  );
}

export function ConfirmPage({ shopName, action, ticket, view, quote, request }: { shopName: string; action: string; ticket: string; view: CustomerOrderReturnView; quote: ReturnQuote; request: string }) {
  const money = (minor: number) => formatMoney(minor, view.currency);
  return (
    <Shell shopName={shopName}>
      <h1>{`Your return from order ${view.number}`}</h1>
      <div className="box">
        <table>
          <tbody>
            <tr>
              <td>Items</td>
              <td>{money(quote.itemsValueMinor)}</td>
            </tr>
            {quote.restockingFeeMinor > 0 ? (
              <tr>
                <td>Restocking fee</td>
                <td>{`−${money(quote.restockingFeeMinor)}`}</td>
              </tr>
            ) : null}
            {quote.returnShippingFeeMinor > 0 ? (
              <tr>
                <td>Return label</td>
                <td>{`−${money(quote.returnShippingFeeMinor)}`}</td>
              </tr>
            ) : null}
            {quote.storeCreditBonusMinor > 0 ? (
              <tr>
                <td>Store credit bonus</td>
                <td>{`+${money(quote.storeCreditBonusMinor)}`}</td>
              </tr>
            ) : null}
            <tr>
              <th>You get</th>
              <th>{quote.payoutMinor > 0 ? money(quote.payoutMinor) : "Your exchange, at no cost"}</th>
            </tr>
          </tbody>
        </table>
        {quote.explanation.map((line, i) => (
          <p key={i}>{line}</p>
        ))}
      </div>
      <form method="post" action={action}>
        <input type="hidden" name="intent" value="submit" />
        <input type="hidden" name="ticket" value={ticket} />
        <input type="hidden" name="request" value={request} />
        <button type="submit">Request the return</button>
      </form>
    </Shell>
  );
}

export function RefusedPage({ shopName, action, ticket, view, quote }: { shopName: string; action: string; ticket: string; view: CustomerOrderReturnView; quote: ReturnQuote }) {
  return (
    <Shell shopName={shopName}>
      <h1>This return cannot be made</h1>
      <ul>
        {quote.lines.filter((line) => !line.accepted).map((line) => (
          <li key={line.orderLineId}>{line.explanation}</li>
        ))}
      </ul>
      <form method="post" action={action}>
        <input type="hidden" name="intent" value="view" />
        <input type="hidden" name="ticket" value={ticket} />
        <button type="submit">{`Back to order ${view.number}`}</button>
      </form>
    </Shell>
  );
}

export function StatusPage({ shopName, action, ticket, view, rmaNumber }: { shopName: string; action: string; ticket: string; view: CustomerOrderReturnView; rmaNumber?: string }) {
  return (
    <Shell shopName={shopName}>
      <h1>{rmaNumber ? `Return ${rmaNumber} requested` : `Returns for order ${view.number}`}</h1>
      {rmaNumber ? <p>We will email you when it is approved. Your return label appears here once it is ready.</p> : null}
      <ReturnsSoFar view={view} />
      <form method="post" action={action}>
        <input type="hidden" name="intent" value="view" />
        <input type="hidden" name="ticket" value={ticket} />
        <button type="submit">Return something else</button>
      </form>
    </Shell>
  );
}

function ReturnsSoFar({ view }: { view: CustomerOrderReturnView }) {
  if (view.returns.length === 0) return null;
  return (
    <div className="box">
      <strong>Your returns</strong>
      <table>
        <tbody>
          {view.returns.map((rma) => (
            <tr key={rma.id}>
              <td>{rma.rmaNumber}</td>
              <td>{humanize(rma.status)}</td>
              <td>{resolutionLabel(rma.resolution as ReturnResolution)}</td>
              <td>
                {rma.labelUrl ? (
                  <>
                    <a href={rma.labelUrl}>Print label</a>
                    {rma.trackingUrl ? (
                      <>
                        {" · "}
                        <a href={rma.trackingUrl}>Track parcel</a>
                      </>
                    ) : null}
                  </>
                ) : rma.trackingNumber ? (
                  `${rma.carrier ?? ""} ${rma.trackingNumber}`
                ) : (
                  <span className="muted">No label yet</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function resolutionLabel(resolution: ReturnResolution): string {
  return resolution === "store_credit" ? "Store credit" : resolution === "exchange" ? "Exchange for another size or colour" : "Refund to the original payment";
}
