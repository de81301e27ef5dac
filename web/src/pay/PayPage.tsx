/**
 * The customer's pay page at /i/<token>: who bills, what, how much is paid and due, the plan, and
 * Pay by card (Stripe Checkout) or the seller's instructions, and the invoice as a PDF. Back from Checkout it says the payment
 * is being processed until the webhook has landed, then shows Paid.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, ApiFailure, call } from '../api/client';
import { Balance, TableHead } from '../app/lists';
import { plainMessage } from '../lib/api-errors';
import { formatDay, STATUS_LABELS } from '../lib/format';
import { formatAmount } from '../lib/money';
import type { paths } from '../api/schema';
import { installmentStandingText } from '../../../domain/plan';

type PublicInvoice = paths['/v1/public/invoices/{token}']['get']['responses'][200]['content']['application/json'];

const token = decodeURIComponent(location.pathname.replace(/^\/i\//, '').replace(/\/+$/, ''));
const returned = new URLSearchParams(location.search).get('checkout');
const POLL_MS = 1500;
const POLL_FOR_MS = 120_000;

/** The due before leaving for Checkout, so the page knows when the payment has landed. */
const dueKey = `pc-pay-due:${token}`;

export function PayPage() {
  const [page, setPage] = useState<PublicInvoice | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [processing, setProcessing] = useState(returned === 'success');
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const p = await call(api.GET('/v1/public/invoices/{token}', { params: { path: { token } } }));
      setPage(p);
      setFailure(null);
      return p;
    } catch (e) {
      setFailure(e as ApiFailure);
      return null;
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (!processing) return;
    const before = Number(sessionStorage.getItem(dueKey) ?? NaN);
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      const p = await load();
      const landed = p && (p.invoice.status === 'paid' || (Number.isFinite(before) && p.invoice.due < before));
      if (landed || Date.now() - started > POLL_FOR_MS) {
        setProcessing(false);
        sessionStorage.removeItem(dueKey);
        if (returned) history.replaceState(null, '', location.pathname);
        return;
      }
      timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => clearTimeout(timer);
  }, [processing, load]);

  if (failure) {
    if (failure.status === 404 || failure.status === 400) {
      document.title = 'Not found';
      return (
        <main className="pay notice">
          <h1>This payment link is not valid</h1>
          <p>The link may be mistyped, or the seller may have replaced it with a new one. Ask the seller for the current link.</p>
        </main>
      );
    }
    return (
      <main className="pay notice">
        <h1>The invoice cannot be shown just now</h1>
        <p role="alert">{plainMessage(failure.error)}</p>
      </main>
    );
  }
  if (!page) return <p className="loading">Loading…</p>;
  const inv = page.invoice;
  document.title = `Invoice ${inv.number} · ${page.seller.legalName || page.seller.name || 'Payment Center'}`;
  const payable = inv.status === 'open' || inv.status === 'overdue';
  const uncovered = inv.paymentPlan.filter((p) => !p.covered);

  const payByCard = async () => {
    setBusy(true);
    setError(null);
    try {
      sessionStorage.setItem(dueKey, String(inv.due));
      const { url } = await call(api.POST('/v1/public/invoices/{token}/checkout', { params: { path: { token } }, body: choice ? { installmentId: choice } : {} }));
      location.assign(url);
    } catch (e) {
      setError(plainMessage((e as ApiFailure).error, inv.currency));
      setBusy(false);
    }
  };

  return (
    <main className="pay">
      <header>
        <p className="seller">{page.seller.legalName || page.seller.name}</p>
        {page.seller.address && <p className="muted address">{page.seller.address}</p>}
        {page.seller.taxId && <p className="muted">Tax ID {page.seller.taxId}</p>}
        <h1>
          {/* A write-off closes the invoice without it being paid: the customer is not told it was. */}
          Invoice {inv.number} <span className={`badge badge-${inv.status}`}>{inv.status === 'paid' && inv.writtenOff > 0 ? 'Closed' : (STATUS_LABELS[inv.status] ?? inv.status)}</span>
        </h1>
        <p className="muted">
          Issued {formatDay(inv.issueDate)} · due {formatDay(inv.dueDate)}
        </p>
        <p>
          {/* The same document the seller sends: items, totals, plan and how to pay. */}
          <a href={`/v1/public/invoices/${encodeURIComponent(token)}/pdf`} download={`invoice-${inv.number.replace(/[^A-Za-z0-9._-]/g, '-')}.pdf`}>
            Download PDF
          </a>
        </p>
      </header>

      {processing && (
        <p className="processing" role="status">
          Your payment is being processed. This page updates by itself when it is confirmed.
        </p>
      )}
      {!processing && returned === 'cancel' && payable && <p role="status">The card payment was cancelled. Nothing was charged.</p>}

      <Balance total={inv.total} credited={inv.credited} paid={inv.paid} writtenOff={inv.writtenOff} due={inv.due} currency={inv.currency} />

      {payable && !processing && (
        <section aria-labelledby="pay-title" className="pay-box">
          <h2 id="pay-title">Pay</h2>
          {page.payment.card ? (
            <>
              {uncovered.length > 1 && (
                <fieldset>
                  <legend>Amount</legend>
                  <label className="check">
                    <input type="radio" name="amount" checked={choice === ''} onChange={() => setChoice('')} /> Everything due, {formatAmount(inv.due, inv.currency)}
                  </label>
                  {uncovered.map((p) => (
                    <label className="check" key={p.id}>
                      <input type="radio" name="amount" checked={choice === p.id} onChange={() => setChoice(p.id)} /> Instalment of {formatDay(p.date)}, {formatAmount(p.open, inv.currency)}
                      {p.standing === 'partly_open' && ` (of ${formatAmount(p.amount, inv.currency)})`}
                    </label>
                  ))}
                </fieldset>
              )}
              <button type="button" className="primary big" onClick={payByCard} disabled={busy}>
                Pay by card
              </button>
              {error && <p role="alert" className="field-error">{error}</p>}
            </>
          ) : (
            <p>Card payment is not available for this invoice.</p>
          )}
          {page.payment.instructions ? (
            <div className="instructions">
              <h3>{page.payment.card ? 'Or pay by other means' : 'How to pay'}</h3>
              <p>{page.payment.instructions}</p>
            </div>
          ) : (
            !page.payment.card && <p>Contact {page.seller.name} for how to pay the balance.</p>
          )}
        </section>
      )}
      {/* A write-off settles the rest without payment: nothing is due, but it was not paid in full. */}
      {inv.status === 'paid' && !processing && <p className="paid-note">{inv.writtenOff > 0 ? 'Nothing more is due.' : 'Paid in full. Thank you.'}</p>}
      {inv.status === 'void' && <p>This invoice was cancelled by the seller; nothing is due.</p>}

      <section aria-labelledby="items-title">
        <h2 id="items-title">Items</h2>
        <div className="table-scroll">
          <table aria-labelledby="items-title">
            <TableHead columns={['Description', 'Qty', 'Amount']} numeric={['Qty', 'Amount']} />
            <tbody>
              {inv.lineItems.map((l, i) => (
                <tr key={i}>
                  <td className="text">{l.description}</td>
                  <td className="num">{l.quantity}</td>
                  <td className="num">{formatAmount(l.amount, inv.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {inv.paymentPlan.length > 1 && (
        <section aria-labelledby="plan-title">
          <h2 id="plan-title">Payment plan</h2>
          <div className="table-scroll">
            <table aria-labelledby="plan-title">
              <TableHead columns={['Date', 'Amount', 'Status']} numeric={['Amount']} />
              <tbody>
                {inv.paymentPlan.map((p) => (
                  <tr key={p.id}>
                    <td>{formatDay(p.date)}</td>
                    <td className="num">{formatAmount(p.amount, inv.currency)}</td>
                    <td>{installmentStandingText(p, (minor) => formatAmount(minor, inv.currency))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="hint">The plan is a guide: you may pay any amount at any time.</p>
        </section>
      )}
    </main>
  );
}
