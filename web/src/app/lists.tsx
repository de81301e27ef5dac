/** What the list tabs share: cursor paging, a debounced search text, the table head, the empty-table row, the balance. */
import { useEffect, useState, type ReactNode } from 'react';
import { formatAmount } from '../lib/money';
import { useLoad } from './components';

/**
 * One page at a time through a cursor API. The cursors belong to `key` (the filters and order): a new
 * key starts again at page 1 without sending an old cursor along with it.
 */
export function useCursorPages<T extends { nextCursor: string | null }>(key: string, load: (cursor: string | undefined) => Promise<T>) {
  const [state, setState] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = state.key === key ? state.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => load(cursor), [key, cursor]);
  const next = page.data?.nextCursor ?? null;
  const pager = (
    <Pager
      page={cursors.length}
      hasNext={!!next}
      onPrevious={() => setState({ key, cursors: cursors.slice(0, -1) })}
      onNext={() => next && setState({ key, cursors: [...cursors, next] })}
    />
  );
  /** Back to page 1 and load it again (after a change the list shows). */
  const restart = () => {
    setState({ key, cursors: [undefined] });
    page.reload();
  };
  return { page, pager, restart };
}

function Pager({ page, hasNext, onPrevious, onNext }: { page: number; hasNext: boolean; onPrevious: () => void; onNext: () => void }) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={onPrevious} disabled={page === 1}>
        Previous page
      </button>
      <span>Page {page}</span>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next page
      </button>
    </nav>
  );
}

/** `value` once it has stopped changing for `ms` (search as you type without a request per key). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function EmptyRow({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={columns} className="empty">
        {children}
      </td>
    </tr>
  );
}

/** Total, paid and due of an invoice, as a description list named Balance; credited and written off only when there are some. */
export function Balance({ total, paid, due, currency, overdue, credited = 0, writtenOff = 0 }: { total: number; paid: number; due: number; currency: string; overdue?: boolean; credited?: number; writtenOff?: number }) {
  const rows: [string, number, string | undefined][] = [
    ['Total', total, undefined],
    ...(credited > 0 ? [['Credited', credited, undefined] as [string, number, undefined]] : []),
    ['Paid', paid, undefined],
    ...(writtenOff > 0 ? [['Written off', writtenOff, undefined] as [string, number, undefined]] : []),
    ['Due', due, overdue ? 'overdue' : 'due'],
  ];
  return (
    <dl className="balance" aria-label="Balance">
      {rows.map(([term, amount, className]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd className={className}>{formatAmount(amount, currency)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table's column headers; the names listed in `numeric` are right-aligned figures. */
export function TableHead({ columns, numeric = [] }: { columns: string[]; numeric?: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col" className={numeric.includes(c) ? 'num' : undefined}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
