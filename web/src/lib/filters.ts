/**
 * The Invoices tab's filters, sort and search as one value: read from and written to the page's
 * URL (so a filtered list can be bookmarked and Back works) and turned into the list API's query.
 */
import { compareDates, isIsoDate } from '../../../domain/dates';
import { INVOICE_SORTS, INVOICE_STATUSES, type InvoiceSort, type InvoiceStatus } from '../../../domain/invoice';

export { INVOICE_STATUSES };
export type SortColumn = 'dueDate' | 'total' | 'status';

export interface InvoiceFilters {
  q: string;
  status: InvoiceStatus | '';
  contactId: string;
  /** Shown in the contact filter while its id is in the URL. */
  contactName: string;
  issueDateFrom: string;
  issueDateTo: string;
  dueDateFrom: string;
  dueDateTo: string;
  sort: InvoiceSort;
}

export const NO_FILTERS: InvoiceFilters = {
  q: '',
  status: '',
  contactId: '',
  contactName: '',
  issueDateFrom: '',
  issueDateTo: '',
  dueDateFrom: '',
  dueDateTo: '',
  sort: INVOICE_SORTS[0], // the API's default: newest first
};

const DATE_KEYS = ['issueDateFrom', 'issueDateTo', 'dueDateFrom', 'dueDateTo'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filters a URL query string names; anything malformed in it is ignored, not sent on. */
export function filtersFromSearch(search: string): InvoiceFilters {
  const p = new URLSearchParams(search);
  const get = (k: string) => p.get(k) ?? '';
  const status = get('status');
  const sort = get('sort');
  const contactId = get('contactId');
  const f: InvoiceFilters = {
    ...NO_FILTERS,
    q: get('q').slice(0, 200),
    status: (INVOICE_STATUSES as readonly string[]).includes(status) ? (status as InvoiceStatus) : '',
    contactId: UUID.test(contactId) ? contactId : '',
    contactName: UUID.test(contactId) ? get('contactName') : '',
    sort: (INVOICE_SORTS as readonly string[]).includes(sort) ? (sort as InvoiceSort) : NO_FILTERS.sort,
  };
  for (const k of DATE_KEYS) f[k] = isIsoDate(get(k)) ? get(k) : '';
  return f;
}

/** The URL query string for these filters (defaults left out), with a leading "?" unless empty. */
export function filtersToSearch(f: InvoiceFilters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f) as [keyof InvoiceFilters, string][]) {
    if (v !== '' && v !== NO_FILTERS[k] && !(k === 'contactName' && !f.contactId)) p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export type InvoiceListQuery = Partial<Record<'q' | 'contactId' | (typeof DATE_KEYS)[number], string>> & { status?: InvoiceStatus; sort?: InvoiceSort };

/** The query of GET /v1/invoices/summary: the list's filters without paging or order. */
export function summaryQuery(f: InvoiceFilters): Omit<InvoiceListQuery, 'sort'> {
  const query: Omit<InvoiceListQuery, 'sort'> = {};
  const q = f.q.trim();
  if (q) query.q = q;
  if (f.status) query.status = f.status;
  if (f.contactId) query.contactId = f.contactId;
  for (const k of DATE_KEYS) if (f[k]) query[k] = f[k];
  return query;
}

/** The query of GET /v1/invoices for these filters (the default order is not sent). */
export function listQuery(f: InvoiceFilters): InvoiceListQuery {
  return { ...summaryQuery(f), ...(f.sort !== NO_FILTERS.sort && { sort: f.sort }) };
}

/** A date range whose start is after its end, by field, for the message next to it. */
export function rangeErrors(f: InvoiceFilters): Partial<Record<'issueDateTo' | 'dueDateTo', string>> {
  const errors: Partial<Record<'issueDateTo' | 'dueDateTo', string>> = {};
  if (f.issueDateFrom && f.issueDateTo && compareDates(f.issueDateFrom, f.issueDateTo) > 0) errors.issueDateTo = 'Must be on or after the start date';
  if (f.dueDateFrom && f.dueDateTo && compareDates(f.dueDateFrom, f.dueDateTo) > 0) errors.dueDateTo = 'Must be on or after the start date';
  return errors;
}

/**
 * The next order when a column header is clicked: ascending, then descending, then back to the
 * default (status has one order: open, overdue, paid, void).
 */
export function nextSort(current: InvoiceSort, column: SortColumn): InvoiceSort {
  if (column === 'status') return current === 'status' ? NO_FILTERS.sort : 'status';
  if (current === column) return `-${column}`;
  if (current === `-${column}`) return NO_FILTERS.sort;
  return column;
}

/** The aria-sort value of a column header under this order. */
export function ariaSort(current: InvoiceSort, column: SortColumn): 'ascending' | 'descending' | 'none' {
  if (current === column) return 'ascending';
  if (current === `-${column}`) return 'descending';
  return 'none';
}
