/**
 * The Payments tab: every payment, on an invoice or on a contact alone, with its status (voided ones
 * struck through); a payment split across invoices opens to show its parts. And Make a payment.
 */
import { Fragment, useState } from 'react';
import { api, call, type ApiFailure, type Payment } from '../api/client';
import { plainMessage } from '../lib/api-errors';
import { formatDay, METHOD_LABELS } from '../lib/format';
import { formatAmount } from '../lib/money';
import { paymentMethodText, paymentStatusLabel } from '../lib/payments';
import { ErrorBanner, Field, Money } from './components';
import { sourceText } from './InvoicePage';
import { EmptyRow, TableHead, useCursorPages, useDebounced } from './lists';
import { MakePaymentDialog } from './MakePaymentDialog';
import { PaymentStatus } from './PaymentStatus';
import { Link } from './router';
import './corrections.css';

const COLUMNS = ['Contact', 'Amount', 'Invoice', 'Payment date', 'Method', 'Source/reference', 'Status'];

export function PaymentsTab() {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim());
  const [paying, setPaying] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const { page, pager, restart } = useCursorPages(query, (cursor) => call(api.GET('/v1/payments', { params: { query: { q: query || undefined, cursor, limit: 25 } } })));

  return (
    <section aria-labelledby="payments-title">
      <div className="section-head">
        <h1 id="payments-title">Payments</h1>
        <button type="button" className="primary" onClick={() => setPaying(true)}>
          Make a payment
        </button>
      </div>
      <p className="note">Cash, check and wire payments are not seen automatically: record them here when the money arrives. Card payments through Stripe appear by themselves.</p>
      <form className="filters" role="search" aria-label="Search payments" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search">{({ id }) => <input id={id} type="search" placeholder="Reference, contact or invoice number" value={q} onChange={(e) => setQ(e.target.value)} />}</Field>
      </form>
      <p role="status" className="notice-line">
        {notice}
      </p>
      <ErrorBanner message={page.error ? plainMessage((page.error as ApiFailure).error) : null} />
      <div className="table-wrap">
        <table aria-label="Payments" aria-busy={page.loading}>
          <TableHead columns={COLUMNS} numeric={['Amount']} />
          <tbody>
            {page.data?.data.map((p) => {
              const open = expanded.has(p.id);
              return (
                <Fragment key={p.id}>
                  <tr className={p.status === 'voided' ? 'row-voided' : undefined}>
                    <td className="text">{p.contact.name}</td>
                    <td className="num">
                      <Money amount={p.amount} currency={p.currency} />
                    </td>
                    <td>
                      {p.allocations.length > 0 ? (
                        <button type="button" className="link-button" aria-expanded={open} aria-controls={`parts-${p.id}`} onClick={() => toggle(p.id)}>
                          {splitText(p)} <span aria-hidden="true">{open ? '▾' : '▸'}</span>
                        </button>
                      ) : p.invoice ? (
                        <Link href={`/app/invoices/${p.invoice.id}`}>{p.invoice.number}</Link>
                      ) : (
                        <span className="muted">On the contact</span>
                      )}
                    </td>
                    <td>{formatDay(p.date)}</td>
                    <td>{paymentMethodText(p.method, METHOD_LABELS)}</td>
                    <td>{sourceText(p.source, p.reference)}</td>
                    <td>
                      <PaymentStatus payment={p} />
                    </td>
                  </tr>
                  {open && (
                    <tr id={`parts-${p.id}`} className="parts-row">
                      <td colSpan={COLUMNS.length}>
                        <Parts payment={p} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
            {page.data && page.data.data.length === 0 && <EmptyRow columns={COLUMNS.length}>{query ? 'No payment matches.' : 'No payments yet.'}</EmptyRow>}
          </tbody>
        </table>
      </div>
      {pager}
      {paying && (
        <MakePaymentDialog
          onClose={() => setPaying(false)}
          onRecorded={(p) => {
            setPaying(false);
            setNotice(`Payment of ${formatAmount(p.amount, p.currency)} from ${p.contact.name} recorded.`);
            restart();
          }}
        />
      )}
    </section>
  );
}

const splitText = (p: Payment) => {
  const invoices = p.allocations.filter((a) => a.invoice).length;
  return `Split across ${invoices} invoice${invoices === 1 ? '' : 's'}`;
};

/** The parts of a split payment: each invoice's share, and the remainder kept on the contact as credit. */
function Parts({ payment: p }: { payment: Payment }) {
  return (
    <ul className="parts" aria-label={`Parts of the payment of ${formatAmount(p.amount, p.currency)}`}>
      {p.allocations.map((a) => (
        <li key={a.paymentId} className={a.status === 'voided' ? 'part-voided' : undefined}>
          <span>
            <span className="money">{formatAmount(a.amount, p.currency)}</span>{' '}
            {a.invoice ? (
              <>
                on <Link href={`/app/invoices/${a.invoice.id}`}>{a.invoice.number}</Link>
              </>
            ) : (
              <span className="muted">kept on the contact as credit</span>
            )}
          </span>
          {a.status !== 'succeeded' && <span className={`badge badge-payment-${a.status}`}>{paymentStatusLabel(a.status)}</span>}
        </li>
      ))}
    </ul>
  );
}
