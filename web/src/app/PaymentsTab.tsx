/** The Payments tab: every payment, on an invoice or on a contact alone, and Make a payment. */
import { useState } from 'react';
import { api, call, type ApiFailure } from '../api/client';
import { plainMessage } from '../lib/api-errors';
import { formatDay, methodLabel } from '../lib/format';
import { formatAmount } from '../lib/money';
import { ErrorBanner, Field, Money } from './components';
import { sourceText } from './InvoicePage';
import { EmptyRow, TableHead, useCursorPages, useDebounced } from './lists';
import { MakePaymentDialog } from './MakePaymentDialog';
import { Link } from './router';

export function PaymentsTab() {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim());
  const [paying, setPaying] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
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
          <TableHead columns={['Contact', 'Amount', 'Invoice', 'Payment date', 'Method', 'Source/reference']} numeric={['Amount']} />
          <tbody>
            {page.data?.data.map((p) => (
              <tr key={p.id}>
                <td>{p.contact.name}</td>
                <td className="num">
                  <Money amount={p.amount} currency={p.currency} />
                </td>
                <td>{p.invoice ? <Link href={`/app/invoices/${p.invoice.id}`}>{p.invoice.number}</Link> : <span className="muted">On the contact</span>}</td>
                <td>{formatDay(p.date)}</td>
                <td>{methodLabel(p.method)}</td>
                <td>{sourceText(p.source, p.reference)}</td>
              </tr>
            ))}
            {page.data && page.data.data.length === 0 && <EmptyRow columns={6}>{query ? 'No payment matches.' : 'No payments yet.'}</EmptyRow>}
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
