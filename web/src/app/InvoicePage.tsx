/**
 * One invoice: header with status and balance, line items, the plan with each instalment covered
 * or not, payments with their status (void a manual one, refund a card one), the history as a
 * timeline, and the actions (Make a payment, Apply credit, Credit note, Write off, Void, Copy
 * customer link, the workflow in Temporal UI for operators).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { uncoveredInstallments } from '../../../domain/plan';
import { api, ApiFailure, call, type InvoiceDetail } from '../api/client';
import { plainMessage } from '../lib/api-errors';
import { formatDay, formatMoment, METHOD_LABELS, methodLabel } from '../lib/format';
import { timeline } from '../lib/history';
import { formatAmount } from '../lib/money';
import { canVoid, paymentMethodText, refundable } from '../lib/payments';
import { Dialog, ErrorBanner, Field, Money, StatusBadge, useDocumentTitle, useLoad } from './components';
import { ApplyCreditDialog, CreditNoteDialog, VoidPaymentDialog, WriteOffDialog } from './CorrectionDialogs';
import { Balance, TableHead } from './lists';
import { MakePaymentDialog } from './MakePaymentDialog';
import { NotFoundPage } from './notices';
import { PaymentStatus } from './PaymentStatus';
import { RefundDialog } from './RefundDialog';
import { Link } from './router';
import { useSession } from './session';
import './corrections.css';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function InvoicePage({ id }: { id: string }) {
  const session = useSession();
  const invoice = useLoad(() => (UUID.test(id) ? call(api.GET('/v1/invoices/{id}', { params: { path: { id } } })) : Promise.reject(new ApiFailure(404, { code: 'not_found', message: '', details: {} }))), [id]);
  const [dialog, setDialog] = useState<'pay' | 'void' | 'write-off' | 'credit-note' | 'apply-credit' | { kind: 'void-payment' | 'refund'; payment: InvoicePayment } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const contactId = invoice.data?.contact.id;
  // The contact's credit, for Apply credit; reloaded with the invoice after every change.
  const credit = useLoad(() => (contactId ? call(api.GET('/v1/contacts/{id}/credit', { params: { path: { id: contactId } } })) : Promise.resolve(null)), [contactId, invoice.data]);
  // A refund reaches the invoice's workflow by signal, just after the API's answer: look again (for up to
  // 10 s) until the balance shows it, rather than showing the old one as if nothing happened.
  const [awaitPaid, setAwaitPaid] = useState<{ atMost: number; tries: number } | null>(null);
  useEffect(() => {
    if (!awaitPaid || !invoice.data || invoice.loading) return;
    if (invoice.data.paid <= awaitPaid.atMost || awaitPaid.tries >= 10) return setAwaitPaid(null);
    const timer = setTimeout(() => {
      setAwaitPaid({ ...awaitPaid, tries: awaitPaid.tries + 1 });
      invoice.reload();
    }, 1000);
    return () => clearTimeout(timer);
  }, [awaitPaid, invoice.data, invoice.loading]);

  const notFound = invoice.error instanceof ApiFailure && (invoice.error.status === 404 || invoice.error.status === 400);
  useDocumentTitle(notFound ? 'Invoice not found' : (invoice.data?.number ?? 'Invoice'));

  if (invoice.error) {
    const failure = invoice.error as ApiFailure;
    if (failure.status === 404 || failure.status === 400) return <NotFoundPage what="Invoice" />;
    return <ErrorBanner message={plainMessage(failure.error)} />;
  }
  const inv = invoice.data;
  if (!inv) return <p className="loading">Loading…</p>;
  const open = inv.status === 'open' || inv.status === 'overdue';
  const available = credit.data?.balances.find((b) => b.currency === inv.currency)?.balance ?? 0;
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
    invoice.reload();
  };

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
        <Balance total={inv.total} paid={inv.paid} due={inv.due} currency={inv.currency} overdue={inv.status === 'overdue'} credited={inv.credited} writtenOff={inv.writtenOff} />
      </header>
      <div className="actions" role="group" aria-label="Invoice actions">
        <button type="button" className="primary" onClick={() => setDialog('pay')} disabled={!open}>
          Make a payment
        </button>
        {open && available > 0 && (
          <button type="button" onClick={() => setDialog('apply-credit')}>
            Apply credit <span className="muted">({formatAmount(available, inv.currency)} available)</span>
          </button>
        )}
        <button type="button" onClick={() => setDialog('credit-note')} disabled={!open}>
          Credit note
        </button>
        <button type="button" onClick={() => setDialog('write-off')} disabled={!open || inv.due <= 0}>
          Write off
        </button>
        <button
          type="button"
          onClick={() => setDialog('void')}
          disabled={inv.status === 'paid' || inv.status === 'void' || inv.paid > 0}
          title={inv.paid > 0 && inv.status !== 'void' ? 'An invoice with payments cannot be voided: void or refund its payments first.' : undefined}
        >
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
        <div className="table-scroll">
          <table aria-labelledby="items-title">
            <TableHead columns={['Description', 'Quantity', 'Unit price', 'Amount']} numeric={['Quantity', 'Unit price', 'Amount']} />
            <tbody>
              {inv.lineItems.map((l, i) => (
                <tr key={i}>
                  <td className="text">{l.description}</td>
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
        </div>
      </section>

      <PlanSection inv={inv} />

      <section aria-labelledby="payments-title">
        <h2 id="payments-title">Payments</h2>
        {inv.payments.length === 0 ? (
          <p className="muted">No payments yet.</p>
        ) : (
          <div className="table-scroll">
            <table aria-labelledby="payments-title">
              <TableHead columns={['Payment date', 'Amount', 'Method', 'Source/reference', 'Status', 'Actions']} numeric={['Amount']} />
              <tbody>
                {inv.payments.map((p) => {
                  const what = `payment of ${formatAmount(p.amount, p.currency)} on ${formatDay(p.date)}`;
                  return (
                    <tr key={p.id} className={p.status === 'voided' ? 'row-voided' : undefined}>
                      <td>{formatDay(p.date)}</td>
                      <td className="num">
                        <Money amount={p.amount} currency={p.currency} />
                      </td>
                      <td>{paymentMethodText(p.method, METHOD_LABELS)}</td>
                      <td>
                        {sourceText(p.source, p.reference)}
                        {p.parentId && <span className="muted"> · part of a split payment</span>}
                      </td>
                      <td>
                        <PaymentStatus payment={p} />
                      </td>
                      <td>
                        <div className="row-actions">
                          {canVoid(p) && inv.status !== 'void' && (
                            <button type="button" className="small" aria-label={`Void the ${what}`} onClick={() => setDialog({ kind: 'void-payment', payment: p })}>
                              Void
                            </button>
                          )}
                          {refundable(p) > 0 && (
                            <button type="button" className="small" aria-label={`Refund the ${what}`} onClick={() => setDialog({ kind: 'refund', payment: p })}>
                              Refund
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol className="timeline">
          {timeline(inv.history).map((entry) => (
            <li key={entry[0].id} className={`event event-${entry[0].type}`}>
              <time dateTime={entry[0].occurredAt}>{formatMoment(entry[0].occurredAt, session.tenant.timeZone)}</time>
              <span>{entry.length > 1 ? reminderBatchText(entry) : historyText(entry[0], inv.currency)}</span>
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
      {dialog === 'write-off' && <WriteOffDialog inv={inv} onClose={() => setDialog(null)} onDone={() => done(`${formatAmount(inv.due, inv.currency)} written off; ${inv.number} is closed.`)} />}
      {dialog === 'credit-note' && <CreditNoteDialog inv={inv} onClose={() => setDialog(null)} onDone={(amount) => done(`Credit note of ${formatAmount(amount, inv.currency)} issued.`)} />}
      {dialog === 'apply-credit' && (
        <ApplyCreditDialog inv={inv} available={available} onClose={() => setDialog(null)} onDone={(p) => done(`${formatAmount(p.amount, p.currency)} of the contact's credit applied.`)} />
      )}
      {typeof dialog === 'object' && dialog?.kind === 'void-payment' && (
        <VoidPaymentDialog payment={dialog.payment} onClose={() => setDialog(null)} onDone={(p) => done(`The payment of ${formatAmount(p.amount, p.currency)} is voided.`)} />
      )}
      {typeof dialog === 'object' && dialog?.kind === 'refund' && (
        <RefundDialog
          payment={dialog.payment}
          onClose={() => setDialog(null)}
          onDone={(p) => {
            const refund = p.refunds[p.refunds.length - 1];
            setAwaitPaid({ atMost: inv.paid - (refund?.amount ?? 0), tries: 0 });
            done(`Refund of ${formatAmount(refund?.amount ?? 0, p.currency)} sent to Stripe${refund?.status === 'pending' ? ' (pending)' : ''}.`);
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

export const sourceText = (source: string, reference: string | null) => [source === 'stripe' ? 'Stripe' : source === 'credit' ? 'Credit' : 'Manual', reference].filter(Boolean).join(' · ');

type InvoicePayment = InvoiceDetail['payments'][number];

function PlanSection({ inv }: { inv: InvoiceDetail }) {
  // The API says which instalments are covered; how much of a partly covered one is open follows the same rule,
  // with credit notes and write-offs settling the plan like payments, so the open parts add up to Due.
  const uncovered = uncoveredInstallments(inv.paymentPlan, inv.paid + inv.credited + inv.writtenOff);
  return (
    <section aria-labelledby="plan-title">
      <h2 id="plan-title">Payment plan</h2>
      <div className="table-scroll">
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
                <td>{p.covered || uncovered[i] === 0 ? <span className="covered">Covered</span> : uncovered[i] < p.amount ? `Partly: ${formatAmount(uncovered[i], inv.currency)} open` : 'Not covered'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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

const REMINDER_SKIP_REASONS: Record<string, string> = {
  invoice_paid: 'invoice paid',
  invoice_void: 'invoice void',
  installment_covered: 'instalment covered',
  not_overdue: 'not overdue',
  past_at_creation: 'already past when the invoice was created',
};
const reminderDay = (d: Record<string, unknown>) => (typeof d.date === 'string' ? formatDay(d.date) : '');
const skipReason = (d: Record<string, unknown>) => REMINDER_SKIP_REASONS[d.reason as string] ?? String(d.reason ?? '').replace(/_/g, ' ');

/** Several reminders planned or skipped at once, with their days. */
function reminderBatchText(batch: History[]): string {
  const days = batch.map((h) => reminderDay(h.data as Record<string, unknown>)).join(', ');
  const first = batch[0].data as Record<string, unknown>;
  return batch[0].type === 'reminder_scheduled'
    ? `${batch.length} reminders planned${first.reason === 'invoice_reopened' ? ' again (invoice reopened)' : ''}: ${days}`
    : `${batch.length} reminders skipped (${skipReason(first)}): ${days}`;
}

/** One history entry in words. */
function historyText(h: History, currency: string): string {
  const d = h.data as Record<string, unknown>;
  const money = (key: string) => (typeof d[key] === 'number' ? formatAmount(d[key] as number, (d.currency as string) ?? currency) : '');
  switch (h.type) {
    case 'created':
      return `Created for ${money('total')}`;
    case 'payment_applied':
      if (d.unapplied) return `${money('amount')} over the balance kept on the contact as credit`;
      if (d.source === 'credit' || d.method === 'credit') return `${money('amount')} of the contact's credit applied`;
      return `Payment of ${money('amount')} received${d.method ? ` (${methodLabel(d.method as string)})` : ''}`;
    case 'payment_voided':
      return `Payment of ${money('amount')} voided${d.reason ? `: ${d.reason}` : ''}`;
    case 'written_off':
      return `${money('amount')} written off${d.reason ? `: ${d.reason}` : ''}`;
    case 'credit_note_issued':
      return `Credit note of ${money('amount')}${d.reason ? `: ${d.reason}` : ''}`;
    case 'reversal_failed':
      return `Refund of ${money('amount')} failed${d.reason ? ` (${d.reason})` : ''}: the money was not returned${typeof d.restored === 'number' && d.restored > 0 ? `, ${money('restored')} counts as paid again` : ''}`;
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
      return `Reminder planned for ${reminderDay(d)}${d.reason === 'invoice_reopened' ? ' (invoice reopened)' : ''}`;
    case 'reminder_sent':
      return `Reminder sent${d.channel ? ` by ${d.channel}` : ''}`;
    case 'reminder_failed':
      return 'Reminder could not be sent';
    case 'reminder_skipped':
      return `Reminder for ${reminderDay(d)} skipped (${skipReason(d)})`;
    default:
      return h.type.replace(/_/g, ' ');
  }
}
