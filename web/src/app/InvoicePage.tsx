/**
 * One invoice: header with status and balance, line items, the plan with each instalment covered
 * or not, payments, the history as a timeline, and the actions (Make a payment, Void, Copy
 * customer link, the workflow in Temporal UI for operators).
 */
import { useState, type FormEvent } from 'react';
import { uncoveredInstallments } from '../../../domain/plan';
import { api, ApiFailure, call, type InvoiceDetail } from '../api/client';
import { plainMessage } from '../lib/api-errors';
import { formatDay, formatMoment, methodLabel } from '../lib/format';
import { formatAmount } from '../lib/money';
import { Dialog, ErrorBanner, Field, Money, StatusBadge, useLoad } from './components';
import { Balance, TableHead } from './lists';
import { MakePaymentDialog } from './MakePaymentDialog';
import { NotFoundPage } from './notices';
import { Link } from './router';
import { useSession } from './session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function InvoicePage({ id }: { id: string }) {
  const session = useSession();
  const invoice = useLoad(() => (UUID.test(id) ? call(api.GET('/v1/invoices/{id}', { params: { path: { id } } })) : Promise.reject(new ApiFailure(404, { code: 'not_found', message: '', details: {} }))), [id]);
  const [dialog, setDialog] = useState<'pay' | 'void' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (invoice.error) {
    const failure = invoice.error as ApiFailure;
    if (failure.status === 404 || failure.status === 400) return <NotFoundPage what="Invoice" />;
    return <ErrorBanner message={plainMessage(failure.error)} />;
  }
  const inv = invoice.data;
  if (!inv) return <p className="loading">Loading…</p>;
  const open = inv.status === 'open' || inv.status === 'overdue';

  const copyLink = async () => {
    const url = inv.customerUrl;
    try {
      await navigator.clipboard.writeText(url);
      setNotice(`Customer link copied: ${url}`);
    } catch {
      setNotice(`Customer link: ${url}`);
    }
  };

  return (
    <article aria-labelledby="invoice-title" className="invoice-page">
      <p className="crumbs">
        <Link href="/app">Invoices</Link> / {inv.number}
      </p>
      <header className="invoice-head">
        <div>
          <h1 id="invoice-title">
            Invoice {inv.number} <StatusBadge status={inv.status} />
          </h1>
          <p className="muted">
            {inv.contact.name} · issued {formatDay(inv.issueDate)} · due {formatDay(inv.dueDate)}
          </p>
        </div>
        <Balance total={inv.total} paid={inv.paid} due={inv.due} currency={inv.currency} overdue={inv.status === 'overdue'} />
      </header>
      <div className="actions" role="group" aria-label="Invoice actions">
        <button type="button" className="primary" onClick={() => setDialog('pay')} disabled={!open}>
          Make a payment
        </button>
        <button type="button" onClick={() => setDialog('void')} disabled={inv.status === 'paid' || inv.status === 'void'}>
          Void
        </button>
        <button type="button" onClick={copyLink}>
          Copy customer link
        </button>
        {session.temporalUi && (
          <a className="button" href={`${session.temporalUi.url}/namespaces/${encodeURIComponent(session.temporalUi.namespace)}/workflows/invoice-${inv.id}`} target="_blank" rel="noreferrer">
            Workflow in Temporal UI <span className="muted">(operators)</span>
          </a>
        )}
      </div>
      <p role="status" className="notice-line">
        {notice}
      </p>

      <section aria-labelledby="items-title">
        <h2 id="items-title">Line items</h2>
        <table aria-labelledby="items-title">
          <TableHead columns={['Description', 'Quantity', 'Unit price', 'Amount']} numeric={['Quantity', 'Unit price', 'Amount']} />
          <tbody>
            {inv.lineItems.map((l, i) => (
              <tr key={i}>
                <td>{l.description}</td>
                <td className="num">{l.quantity}</td>
                <td className="num">
                  <Money amount={l.unitAmount} currency={inv.currency} />
                </td>
                <td className="num">
                  <Money amount={l.amount} currency={inv.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <PlanSection inv={inv} />

      <section aria-labelledby="payments-title">
        <h2 id="payments-title">Payments</h2>
        {inv.payments.length === 0 ? (
          <p className="muted">No payments yet.</p>
        ) : (
          <table aria-labelledby="payments-title">
            <TableHead columns={['Payment date', 'Amount', 'Method', 'Source/reference']} numeric={['Amount']} />
            <tbody>
              {inv.payments.map((p) => (
                <tr key={p.id}>
                  <td>{formatDay(p.date)}</td>
                  <td className="num">
                    <Money amount={p.amount} currency={p.currency} />
                  </td>
                  <td>{methodLabel(p.method)}</td>
                  <td>{sourceText(p.source, p.reference)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol className="timeline">
          {inv.history.map((h) => (
            <li key={h.id} className={`event event-${h.type}`}>
              <time dateTime={h.occurredAt}>{formatMoment(h.occurredAt, session.tenant.timeZone)}</time>
              <span>{historyText(h, inv.currency)}</span>
            </li>
          ))}
        </ol>
      </section>

      {dialog === 'pay' && (
        <MakePaymentDialog
          contact={inv.contact}
          invoice={inv}
          onClose={() => setDialog(null)}
          onRecorded={(p) => {
            setDialog(null);
            setNotice(`Payment of ${formatAmount(p.amount, p.currency)} recorded.`);
            invoice.reload();
          }}
        />
      )}
      {dialog === 'void' && (
        <VoidDialog
          inv={inv}
          onClose={() => setDialog(null)}
          onVoided={() => {
            setDialog(null);
            setNotice(`Invoice ${inv.number} is void.`);
            invoice.reload();
          }}
        />
      )}
    </article>
  );
}

export const sourceText = (source: string, reference: string | null) => [source === 'stripe' ? 'Stripe' : 'Manual', reference].filter(Boolean).join(' · ');

function PlanSection({ inv }: { inv: InvoiceDetail }) {
  // The API says which instalments are covered; how much of a partly covered one is open follows the same rule.
  const uncovered = uncoveredInstallments(inv.paymentPlan, inv.paid);
  return (
    <section aria-labelledby="plan-title">
      <h2 id="plan-title">Payment plan</h2>
      <table aria-labelledby="plan-title">
        <TableHead columns={['Payment date', 'Amount', 'Recommended method', 'Covered']} numeric={['Amount']} />
        <tbody>
          {inv.paymentPlan.map((p, i) => (
            <tr key={p.id}>
              <td>{formatDay(p.date)}</td>
              <td className="num">
                <Money amount={p.amount} currency={inv.currency} />
              </td>
              <td>{methodLabel(p.method)}</td>
              <td>{p.covered ? <span className="covered">Covered</span> : uncovered[i] < p.amount ? `Partly: ${formatAmount(uncovered[i], inv.currency)} open` : 'Not covered'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function VoidDialog({ inv, onClose, onVoided }: { inv: InvoiceDetail; onClose: () => void; onVoided: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await call(api.POST('/v1/invoices/{id}/void', { params: { path: { id: inv.id } }, body: reason.trim() ? { reason: reason.trim() } : {} }));
      onVoided();
    } catch (err) {
      setError(plainMessage((err as ApiFailure).error, inv.currency));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Void invoice ${inv.number}?`} onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <p>A void invoice accepts no more payments and its reminders stop. This cannot be undone.</p>
        <Field label="Reason">{({ id }) => <textarea id={id} value={reason} maxLength={500} rows={3} onChange={(e) => setReason(e.target.value)} placeholder="Kept in the invoice history" />}</Field>
        <ErrorBanner message={error} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Keep invoice
          </button>
          <button type="submit" className="danger" disabled={busy}>
            Void invoice
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type History = InvoiceDetail['history'][number];

/** One history entry in words. */
function historyText(h: History, currency: string): string {
  const d = h.data as Record<string, unknown>;
  const money = (key: string) => (typeof d[key] === 'number' ? formatAmount(d[key] as number, (d.currency as string) ?? currency) : '');
  switch (h.type) {
    case 'created':
      return `Created for ${money('total')}`;
    case 'payment_applied':
      return d.unapplied ? `${money('amount')} over the balance kept on the contact` : `Payment of ${money('amount')} received${d.method ? ` (${methodLabel(d.method as string)})` : ''}`;
    case 'installment_due':
      return `Instalment of ${money('amount')} due${typeof d.uncovered === 'number' && d.uncovered > 0 ? `, ${money('uncovered')} not covered` : ', covered'}`;
    case 'became_overdue':
      return `Overdue with ${money('due')} due`;
    case 'paid':
      return 'Paid in full';
    case 'voided':
      return `Voided${d.reason ? `: ${d.reason}` : ''}`;
    case 'reopened':
      return 'Reopened';
    case 'payment_reversed':
      return `${d.kind === 'dispute' ? 'Dispute lost' : 'Refund'}: ${money('amountReversed')} returned`;
    case 'reminder_scheduled':
      return 'Reminder planned';
    case 'reminder_sent':
      return `Reminder sent${d.channel ? ` by ${d.channel}` : ''}`;
    case 'reminder_failed':
      return 'Reminder could not be sent';
    case 'reminder_skipped':
      return 'Reminder skipped';
    default:
      return h.type.replace(/_/g, ' ');
  }
}
