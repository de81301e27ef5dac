/** The Payment plans tab: every planned instalment by date. For reference: customers pay any amount, any day. */
import { useState } from 'react';
import { api, call, type ApiFailure } from '../api/client';
import { plainMessage } from '../lib/api-errors';
import { formatDay, methodLabel } from '../lib/format';
import { ErrorBanner, Field, Money, StatusBadge } from './components';
import { EmptyRow, TableHead, useCursorPages, useDebounced } from './lists';
import { Link } from './router';

export function PaymentPlansTab() {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim());
  const { page, pager } = useCursorPages(query, (cursor) => call(api.GET('/v1/payment-plans', { params: { query: { q: query || undefined, cursor, limit: 25 } } })));

  return (
    <section aria-labelledby="plans-title">
      <div className="section-head">
        <h1 id="plans-title">Payment plans</h1>
      </div>
      <p className="note">
        Planned payments are for reference only: customers may pay any amount on any day, and each payment covers the oldest open instalments first. Open an invoice number to see its payments.
      </p>
      <form className="filters" role="search" aria-label="Search payment plans" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search">{({ id }) => <input id={id} type="search" placeholder="Invoice number or contact" value={q} onChange={(e) => setQ(e.target.value)} />}</Field>
      </form>
      <ErrorBanner message={page.error ? plainMessage((page.error as ApiFailure).error) : null} />
      <div className="table-wrap">
        <table aria-label="Payment plans" aria-busy={page.loading}>
          <TableHead columns={['Invoice number', 'Amount', 'Recommended method', 'Payment date', 'Contact']} numeric={['Amount']} />
          <tbody>
            {page.data?.data.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/app/invoices/${p.invoice.id}`}>{p.invoice.number}</Link> {p.invoiceStatus !== 'open' && <StatusBadge status={p.invoiceStatus} />}
                </td>
                <td className="num">
                  <Money amount={p.amount} currency={p.currency} />
                </td>
                <td>{methodLabel(p.method)}</td>
                <td>{formatDay(p.date)}</td>
                <td className="text">{p.contact.name}</td>
              </tr>
            ))}
            {page.data && page.data.data.length === 0 && <EmptyRow columns={5}>{query ? 'No planned payment matches.' : 'No planned payments.'}</EmptyRow>}
          </tbody>
        </table>
      </div>
      {pager}
    </section>
  );
}
