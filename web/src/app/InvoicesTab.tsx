/** The Invoices tab: summary strip with aging, filters and search, the sortable table, cursor paging. */
import { useEffect, useRef, useState } from 'react';
import { api, call, type Deal, type Invoice } from '../api/client';
import { plainMessage } from '../lib/api-errors';
import { ariaSort, filtersFromSearch, filtersToSearch, INVOICE_STATUSES, listQuery, nextSort, NO_FILTERS, rangeErrors, summaryQuery, type InvoiceFilters, type SortColumn } from '../lib/filters';
import { formatDay, STATUS_LABELS } from '../lib/format';
import { ContactPicker, ErrorBanner, Field, Money, StatusBadge, useLoad } from './components';
import { EmptyRow, useCursorPages } from './lists';
import { Link, navigate, useLocation } from './router';
import type { ApiFailure } from '../api/client';

const PAGE_SIZE = 25;

export function InvoicesTab() {
  const { search } = useLocation();
  const filters = filtersFromSearch(search);
  const setFilters = (f: InvoiceFilters) => navigate(`/app${filtersToSearch(f)}`, { replace: true });
  const key = filtersToSearch(filters);
  const ranges = rangeErrors(filters);
  const valid = Object.keys(ranges).length === 0;

  const { page, pager } = useCursorPages(key, (cursor) =>
    valid ? call(api.GET('/v1/invoices', { params: { query: { ...listQuery(filters), limit: PAGE_SIZE, cursor } } })) : Promise.resolve({ data: [], nextCursor: null }),
  );
  const deals = useDealNames(page.data?.data);

  return (
    <section aria-labelledby="invoices-title">
      <div className="section-head">
        <h1 id="invoices-title">Invoices</h1>
        <Link href="/app/invoices/new" className="button primary">
          New invoice
        </Link>
      </div>
      <SummaryStrip filters={filters} valid={valid} />
      <InvoiceFilterBar filters={filters} onChange={setFilters} errors={ranges} />
      <ErrorBanner message={page.error ? plainMessage((page.error as ApiFailure).error) : null} />
      <div className="table-wrap">
        <table aria-label="Invoices" aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Invoice number</th>
              <th scope="col">Contact</th>
              <th scope="col">Deal</th>
              <th scope="col">Invoice date</th>
              <SortHeader label="Due date" column="dueDate" filters={filters} onChange={setFilters} />
              <th scope="col" className="num">
                Paid
              </th>
              <th scope="col" className="num">
                Due
              </th>
              <SortHeader label="Total" column="total" filters={filters} onChange={setFilters} num />
              <SortHeader label="Status" column="status" filters={filters} onChange={setFilters} />
            </tr>
          </thead>
          <tbody>
            {page.data?.data.map((inv) => (
              <tr key={inv.id}>
                <td>
                  <Link href={`/app/invoices/${inv.id}`}>{inv.number}</Link>
                </td>
                <td className="text">{inv.contact.name}</td>
                <td className="text">{inv.dealId ? (deals.get(inv.dealId) ?? '…') : '—'}</td>
                <td>{formatDay(inv.issueDate)}</td>
                <td>{formatDay(inv.dueDate)}</td>
                <td className="num">
                  <Money amount={inv.paid} currency={inv.currency} />
                </td>
                <td className="num">{inv.status === 'void' ? <span className="muted">—</span> : <Money amount={inv.due} currency={inv.currency} />}</td>
                <td className="num">
                  <Money amount={inv.total} currency={inv.currency} />
                </td>
                <td>
                  <StatusBadge status={inv.status} />
                </td>
              </tr>
            ))}
            {page.data && page.data.data.length === 0 && <EmptyRow columns={9}>{key ? 'No invoice matches these filters.' : 'No invoices yet. Create the first one with New invoice.'}</EmptyRow>}
          </tbody>
        </table>
      </div>
      {pager}
    </section>
  );
}

function SortHeader({ label, column, filters, onChange, num }: { label: string; column: SortColumn; filters: InvoiceFilters; onChange: (f: InvoiceFilters) => void; num?: boolean }) {
  const sort = ariaSort(filters.sort, column);
  return (
    <th scope="col" aria-sort={sort} className={num ? 'num' : undefined}>
      <button type="button" className="sort-button" onClick={() => onChange({ ...filters, sort: nextSort(filters.sort, column) })}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {sort === 'ascending' ? '▲' : sort === 'descending' ? '▼' : '↕'}
        </span>
      </button>
    </th>
  );
}

function InvoiceFilterBar({ filters, onChange, errors }: { filters: InvoiceFilters; onChange: (f: InvoiceFilters) => void; errors: ReturnType<typeof rangeErrors> }) {
  const [q, setQ] = useState(filters.q);
  const latest = useRef(filters);
  latest.current = filters;
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => {
    if (q === latest.current.q) return;
    const timer = setTimeout(() => onChange({ ...latest.current, q }), 300);
    return () => clearTimeout(timer);
  }, [q]);
  const set = (patch: Partial<InvoiceFilters>) => onChange({ ...filters, ...patch });
  const dirty = filtersToSearch({ ...filters, sort: NO_FILTERS.sort }) !== '';
  return (
    <form className="filters" role="search" aria-label="Filter invoices" onSubmit={(e) => (e.preventDefault(), onChange({ ...filters, q }))}>
      <Field label="Search">
        {({ id }) => <input id={id} type="search" placeholder="Invoice number or contact" value={q} onChange={(e) => setQ(e.target.value)} />}
      </Field>
      <Field label="Status">
        {({ id }) => (
          <select id={id} value={filters.status} onChange={(e) => set({ status: e.target.value as InvoiceFilters['status'] })}>
            <option value="">Any status</option>
            {INVOICE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Contact">
        {({ id }) => (
          <ContactPicker
            id={id}
            placeholder="Any contact"
            value={filters.contactId ? { id: filters.contactId, name: filters.contactName } : null}
            onChange={(c) => (c ? set({ contactId: c.id, contactName: c.name }) : filters.contactId && set({ contactId: '', contactName: '' }))}
          />
        )}
      </Field>
      <fieldset className="range">
        <legend>Invoice date</legend>
        <Field label="From">{({ id }) => <input id={id} type="date" value={filters.issueDateFrom} onChange={(e) => set({ issueDateFrom: e.target.value })} />}</Field>
        <Field label="To" error={errors.issueDateTo}>
          {({ id, describedBy }) => <input id={id} type="date" value={filters.issueDateTo} aria-describedby={describedBy} onChange={(e) => set({ issueDateTo: e.target.value })} />}
        </Field>
      </fieldset>
      <fieldset className="range">
        <legend>Due date</legend>
        <Field label="From">{({ id }) => <input id={id} type="date" value={filters.dueDateFrom} onChange={(e) => set({ dueDateFrom: e.target.value })} />}</Field>
        <Field label="To" error={errors.dueDateTo}>
          {({ id, describedBy }) => <input id={id} type="date" value={filters.dueDateTo} aria-describedby={describedBy} onChange={(e) => set({ dueDateTo: e.target.value })} />}
        </Field>
      </fieldset>
      {dirty && (
        <button type="button" className="link-button" onClick={() => onChange({ ...NO_FILTERS, sort: filters.sort })}>
          Clear filters
        </button>
      )}
    </form>
  );
}

const AGING = [
  ['current', 'Current'],
  ['days1To30', '1–30 days'],
  ['days31To60', '31–60 days'],
  ['days61To90', '61–90 days'],
  ['over90', 'Over 90 days'],
] as const;

function SummaryStrip({ filters, valid }: { filters: InvoiceFilters; valid: boolean }) {
  const key = JSON.stringify(summaryQuery(filters));
  const summary = useLoad(() => (valid ? call(api.GET('/v1/invoices/summary', { params: { query: summaryQuery(filters) } })) : Promise.resolve({ data: [] })), [key]);
  const rows = summary.data?.data ?? [];
  return (
    <section className="summary" aria-label="Summary">
      {summary.error ? <p className="muted">The summary is not available just now.</p> : null}
      {summary.data && rows.length === 0 && <p className="muted">Nothing open or overdue.</p>}
      {rows.map((s) => {
        const past = AGING.reduce((sum, [k]) => sum + s.aging[k], 0) || 1;
        return (
          <div className="summary-currency" key={s.currency}>
            <dl className="totals">
              <div>
                <dt>Open</dt>
                <dd>
                  <Money amount={s.open.due} currency={s.currency} /> <span className="muted">({s.open.count})</span>
                </dd>
              </div>
              <div>
                <dt>Overdue</dt>
                <dd className={s.overdue.due > 0 ? 'overdue' : undefined}>
                  <Money amount={s.overdue.due} currency={s.currency} /> <span className="muted">({s.overdue.count})</span>
                </dd>
              </div>
            </dl>
            <dl className="aging" aria-label={`Aging, ${s.currency}`}>
              {AGING.map(([k, label]) => (
                <div key={k} className={`aging-${k}`}>
                  <dt>{label}</dt>
                  <dd>
                    <Money amount={s.aging[k]} currency={s.currency} />
                    <span className="bar" aria-hidden="true" style={{ width: `${Math.round((s.aging[k] / past) * 100)}%` }} />
                  </dd>
                </div>
              ))}
            </dl>
          </div>
        );
      })}
    </section>
  );
}

const dealCache = new Map<string, Promise<Deal[]>>();

/** Deal names for the invoices shown: each contact's deals, fetched once per contact. */
function useDealNames(invoices: Invoice[] | undefined): Map<string, string> {
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    const contacts = [...new Set((invoices ?? []).filter((i) => i.dealId).map((i) => i.contact.id))];
    let live = true;
    void Promise.all(
      contacts.map((contactId) => {
        if (!dealCache.has(contactId)) {
          const load = call(api.GET('/v1/deals', { params: { query: { contactId, limit: 100 } } })).then((p) => p.data);
          load.catch(() => dealCache.delete(contactId));
          dealCache.set(contactId, load);
        }
        return dealCache.get(contactId)!.catch(() => [] as Deal[]);
      }),
    ).then((lists) => live && setNames(new Map(lists.flat().map((d) => [d.id, d.name]))));
    return () => {
      live = false;
    };
  }, [invoices]);
  return names;
}
