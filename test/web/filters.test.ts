import { ariaSort, filtersFromSearch, filtersToSearch, listQuery, nextSort, NO_FILTERS, rangeErrors, summaryQuery } from '../../web/src/lib/filters';
import { apiErrorOf, errorField, plainMessage } from '../../web/src/lib/api-errors';

const contactId = '0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b';

describe('invoice filters', () => {
  it('round-trip through the URL, defaults left out', () => {
    const f = { ...NO_FILTERS, q: 'INV-0001', status: 'overdue' as const, contactId, contactName: 'Ada', dueDateFrom: '2026-01-01', sort: 'dueDate' as const };
    const search = filtersToSearch(f);
    expect(search).toBe(`?q=INV-0001&status=overdue&contactId=${contactId}&contactName=Ada&dueDateFrom=2026-01-01&sort=dueDate`);
    expect(filtersFromSearch(search)).toEqual(f);
    expect(filtersToSearch(NO_FILTERS)).toBe('');
  });

  it('ignore what is malformed in a URL instead of sending it on', () => {
    expect(filtersFromSearch('?status=late&contactId=42&contactName=X&dueDateTo=2026-02-30&sort=drop&q=' + 'x'.repeat(300))).toEqual({ ...NO_FILTERS, q: 'x'.repeat(200) });
  });

  it('become the list and summary queries, empty values left out', () => {
    const f = { ...NO_FILTERS, q: '  Ada ', status: 'open' as const, issueDateTo: '2026-03-31', sort: '-total' as const };
    expect(listQuery(f)).toEqual({ q: 'Ada', status: 'open', issueDateTo: '2026-03-31', sort: '-total' });
    expect(summaryQuery(f)).toEqual({ q: 'Ada', status: 'open', issueDateTo: '2026-03-31' });
    expect(listQuery(NO_FILTERS)).toEqual({});
  });

  it('flag a range that ends before it starts', () => {
    expect(rangeErrors({ ...NO_FILTERS, dueDateFrom: '2026-05-01', dueDateTo: '2026-04-30' })).toEqual({ dueDateTo: 'Must be on or after the start date' });
    expect(rangeErrors({ ...NO_FILTERS, issueDateFrom: '2026-05-01', issueDateTo: '2026-05-01' })).toEqual({});
  });

  it('sort by a column ascending, then descending, then back to the default', () => {
    expect(nextSort('-createdAt', 'dueDate')).toBe('dueDate');
    expect(nextSort('dueDate', 'dueDate')).toBe('-dueDate');
    expect(nextSort('-dueDate', 'dueDate')).toBe('-createdAt');
    expect(nextSort('-dueDate', 'total')).toBe('total');
    expect(nextSort('total', 'status')).toBe('status');
    expect(nextSort('status', 'status')).toBe('-createdAt');
    expect(ariaSort('-total', 'total')).toBe('descending');
    expect(ariaSort('-total', 'dueDate')).toBe('none');
  });
});

describe('API errors in plain words', () => {
  it('say how much is due on an overpayment, next to the amount', () => {
    const e = apiErrorOf({ error: { code: 'overpayment', message: 'payment of 6000 exceeds the amount due of 5000', details: { due: 5000, amount: 6000 } } });
    expect(plainMessage(e, 'USD')).toBe('The amount is more than is due: $50.00 is due on this invoice. Record the rest as a payment without an invoice.');
    expect(errorField(e)).toBe('amount');
  });

  it('find the field of domain and schema errors', () => {
    expect(errorField(apiErrorOf({ error: { code: 'invalid_amount', message: '', details: { field: 'lineItems[2].unitAmount' } } }))).toBe('lineItems.2.unitAmount');
    expect(errorField(apiErrorOf({ error: { code: 'validation_failed', message: '', details: { issues: [{ path: '/paymentPlan/1/date', message: 'must match format "date"' }] } } }))).toBe('paymentPlan.1.date');
    expect(errorField(apiErrorOf({ error: { code: 'validation_failed', message: '', details: { issues: [{ path: '/', message: "must have required property 'contactId'", params: { missingProperty: 'contactId' } }] } } }))).toBe('contactId');
    expect(errorField(apiErrorOf({ error: { code: 'due_before_issue', message: '', details: {} } }))).toBe('dueDate');
    expect(errorField(apiErrorOf({ error: { code: 'plan_date_after_due', message: '', details: { index: 2 } } }))).toBe('paymentPlan.2.date');
    expect(errorField(apiErrorOf({ error: { code: 'invoice_void', message: '', details: {} } }))).toBeNull();
  });

  it('stand in for a network failure and unknown answers', () => {
    expect(plainMessage(apiErrorOf(undefined))).toMatch(/cannot be reached/);
    expect(apiErrorOf('<html>', 502).code).toBe('http_502');
    expect(plainMessage(apiErrorOf({ error: { code: 'something_new', message: 'the thing failed', details: {} } }))).toBe('The thing failed.');
    expect(plainMessage(apiErrorOf({ error: { code: 'temporal_unavailable', message: '', details: {} } }))).toMatch(/Nothing was changed/);
  });
});
