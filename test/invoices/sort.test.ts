/** GET /v1/invoices?sort=…: each order walks every invoice once across pages, ties broken by id. */
import { expectError, walk } from '../support/api';
import { insertContactRow, insertInvoiceRows, type InvoiceRowInput } from '../support/invoices';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack({ worker: false });

// Repeated due dates, totals and statuses, so every order has ties to break.
const ROWS: InvoiceRowInput[] = [
  { status: 'open', total: 5000, dueDate: '2099-03-01' },
  { status: 'paid', total: 1200, dueDate: '2099-01-15' },
  { status: 'overdue', total: 5000, dueDate: '2026-01-10' },
  { status: 'void', total: 300, dueDate: '2099-03-01' },
  { status: 'open', total: 99_000, dueDate: '2099-02-01' },
  { status: 'overdue', total: 1200, dueDate: '2026-01-10' },
  { status: 'open', total: 5000, dueDate: '2099-03-01' },
  { status: 'paid', total: 700, dueDate: '2026-06-30' },
  { status: 'open', total: 1, dueDate: '2100-12-31' },
  { status: 'overdue', total: 42, dueDate: '2025-12-31' },
  { status: 'void', total: 5000, dueDate: '2099-01-15' },
];

type Row = InvoiceRowInput & { id: string };
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const EXPECTED: Record<string, (a: Row, b: Row) => number> = {
  '-createdAt': (a, b) => cmp(b.id, a.id),
  dueDate: (a, b) => cmp(a.dueDate, b.dueDate) || cmp(a.id, b.id),
  '-dueDate': (a, b) => cmp(b.dueDate, a.dueDate) || cmp(b.id, a.id),
  total: (a, b) => cmp(a.total, b.total) || cmp(a.id, b.id),
  '-total': (a, b) => cmp(b.total, a.total) || cmp(b.id, a.id),
  status: (a, b) => cmp(a.status, b.status) || cmp(b.id, a.id),
};

async function tenantWithInvoices() {
  const t = await createTestTenant(stack);
  const contact = await insertContactRow(stack, t.tenantId);
  const ids = await insertInvoiceRows(stack, t.tenantId, contact, ROWS);
  return { ...t, rows: ROWS.map((r, n) => ({ ...r, id: ids[n] })) };
}

test.each(Object.keys(EXPECTED))('sort=%s pages through every invoice once, in order', async (sort) => {
  const t = await tenantWithInvoices();
  const expected = [...t.rows].sort(EXPECTED[sort]).map((r) => r.id);
  for (const limit of [1, 3, 4, 100]) {
    const { ids, pages } = await walk(t.request, `/v1/invoices?sort=${sort}`, limit);
    expect({ limit, ids }).toEqual({ limit, ids: expected });
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
  }
});

test('the default order is -createdAt; status goes open, overdue, paid, void', async () => {
  const t = await tenantWithInvoices();
  const byDefault = (await t.request('GET', '/v1/invoices?limit=100')).body.data.map((i: { id: string }) => i.id);
  expect(byDefault).toEqual([...t.rows].sort(EXPECTED['-createdAt']).map((r) => r.id));
  const statuses = (await t.request('GET', '/v1/invoices?sort=status&limit=100')).body.data.map((i: { status: string }) => i.status);
  expect([...new Set(statuses)]).toEqual(['open', 'overdue', 'paid', 'void']);
});

test('sorting combines with the filters', async () => {
  const t = await tenantWithInvoices();
  const { ids } = await walk(t.request, '/v1/invoices?sort=-total&status=open', 2);
  expect(ids).toEqual(t.rows.filter((r) => r.status === 'open').sort(EXPECTED['-total']).map((r) => r.id));
  const due = await walk(t.request, '/v1/invoices?sort=dueDate&dueDateFrom=2099-01-01&dueDateTo=2099-12-31', 2);
  expect(due.ids).toEqual(t.rows.filter((r) => r.dueDate.startsWith('2099')).sort(EXPECTED.dueDate).map((r) => r.id));
});

test("a cursor works only with the sort it came from; an unknown sort is a 400", async () => {
  const t = await tenantWithInvoices();
  const cursorOf = async (sort: string) => (await t.request('GET', `/v1/invoices?sort=${sort}&limit=2`)).body.nextCursor as string;
  const byDue = await cursorOf('dueDate');
  const byTotal = await cursorOf('total');
  const byDefault = (await t.request('GET', '/v1/invoices?limit=2')).body.nextCursor as string;
  for (const [sort, cursor] of [['-dueDate', byDue], ['total', byDue], ['dueDate', byTotal], ['status', byDefault], ['-createdAt', byDue]]) {
    expectError(await t.request('GET', `/v1/invoices?sort=${sort}&cursor=${encodeURIComponent(cursor)}`), 400, 'invalid_cursor');
  }
  const forged = Buffer.from(JSON.stringify(['total', '12.5', t.rows[0].id])).toString('base64url');
  expectError(await t.request('GET', `/v1/invoices?sort=total&cursor=${forged}`), 400, 'invalid_cursor');
  expectError(await t.request('GET', '/v1/invoices?sort=number'), 400, 'validation_failed');
  expectError(await t.request('GET', '/v1/invoices?sort=-status'), 400, 'validation_failed');
});
