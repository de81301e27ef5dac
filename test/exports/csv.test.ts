/**
 * CSV exports through the API: the lists' filters, money in major units per currency, RFC 4180 quoting, the formula guard;
 * they reconcile with the API (a voided payment is marked as the list marks it, an invoice's credit notes and write-off).
 */
import { csvField, csvLine, majorUnits } from '../../domain/csv';
import { expectError } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';
import { payInvoice } from '../support/webhooks';

const stack = useTestStack();
// Payments go through the invoice workflow's Update; on a loaded machine one can take tens of seconds.
jest.setTimeout(120_000);

/** A small RFC 4180 parser (quoted fields, doubled quotes, CRLF) to read the answers back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  return rows;
}

/** The rows after the header as objects keyed by the header's names. */
const records = (rows: string[][]) => rows.slice(1).map((r) => Object.fromEntries(rows[0].map((name, i) => [name, r[i]])));

test('fields: RFC 4180 quoting and the CSV-injection guard; money from integers per ISO 4217 exponent', () => {
  expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', null, 42])).toBe('a,"b,c","say ""hi""","two\nlines",,42\r\n');
  for (const evil of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvField(evil).startsWith(`'`) || csvField(evil).startsWith(`"'`)).toBe(true);
  expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  expect(majorUnits(123456, 'USD')).toBe('1234.56');
  expect(majorUnits(5, 'USD')).toBe('0.05');
  expect(majorUnits(0, 'EUR')).toBe('0.00');
  expect(majorUnits(1234, 'JPY')).toBe('1234');
  expect(majorUnits(5, 'KWD')).toBe('0.005');
  expect(majorUnits('100000000000000000', 'USD')).toBe('1000000000000000.00'); // beyond float precision, exact
  expect(majorUnits(-150, 'USD')).toBe('-1.50');
});

test('GET /v1/invoices.csv, /v1/payments.csv, /v1/payment-plans.csv: every matching row, with the filters of the lists', async () => {
  const { request } = await createTestTenant(stack);
  const evil = await request('POST', '/v1/contacts', { name: '=HYPERLINK("http://evil","click"), Ltd', email: 'x@example.com' });
  const plain = await request('POST', '/v1/contacts', { name: 'Ada Lovelace', email: 'ada@example.com' });
  const mk = async (contactId: string, currency: string, unitAmount: number, extra: Record<string, unknown> = {}) => {
    const res = await request('POST', '/v1/invoices', { contactId, currency, issueDate: '2026-11-01', dueDate: '2099-12-31', lineItems: [{ description: 'Work', quantity: 1, unitAmount }], ...extra });
    expect(res.status).toBe(201);
    return res.body;
  };
  const usd = await mk(plain.body.id, 'USD', 123456, { paymentPlan: [{ amount: 23456, date: '2026-11-15' }, { amount: 100000, date: '2026-12-15' }] });
  const jpy = await mk(evil.body.id, 'JPY', 5000);
  const kwd = await mk(plain.body.id, 'KWD', 1005);
  const pay = await payInvoice(request, jpy.id, { amount: 5000, method: 'cash', reference: '-1 refund?' });
  expect(pay.status).toBe(201);

  const all = await request('GET', '/v1/invoices.csv');
  expect(all.status).toBe(200);
  expect(all.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(all.headers['content-disposition']).toBe('attachment; filename="invoices.csv"');
  const rows = parseCsv(all.body as string);
  expect(rows[0]).toEqual(['id', 'number', 'status', 'contact_id', 'contact_name', 'currency', 'total', 'paid', 'credited', 'written_off', 'due', 'issue_date', 'due_date', 'created_at']);
  expect(records(rows).map((r) => [r.id, r.contact_name, r.currency, r.total, r.issue_date, r.due_date])).toEqual([
    [kwd.id, 'Ada Lovelace', 'KWD', '1.005', '2026-11-01', '2099-12-31'],
    [jpy.id, `'=HYPERLINK("http://evil","click"), Ltd`, 'JPY', '5000', '2026-11-01', '2099-12-31'],
    [usd.id, 'Ada Lovelace', 'USD', '1234.56', '2026-11-01', '2099-12-31'],
  ]);
  for (const r of records(rows)) expect(r.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

  // The list's filters: status, contact, q, dates.
  const csv = async (url: string) => {
    const res = await request('GET', url);
    expect([url, res.status]).toEqual([url, 200]);
    return parseCsv(res.body as string);
  };
  await waitForPaid(request, jpy.id);
  expect(records(await csv('/v1/invoices.csv?status=paid')).map((r) => [r.id, r.status, r.paid, r.credited, r.written_off, r.due])).toEqual([[jpy.id, 'paid', '5000', '0', '0', '0']]);
  expect((await csv(`/v1/invoices.csv?contactId=${plain.body.id}`)).slice(1).map((r) => r[0])).toEqual([kwd.id, usd.id]);
  expect((await csv('/v1/invoices.csv?q=hyperlink')).slice(1).map((r) => r[0])).toEqual([jpy.id]);
  expect(await csv('/v1/invoices.csv?issueDateFrom=2027-01-01')).toHaveLength(1); // header only

  const payments = await csv('/v1/payments.csv');
  expect(payments[0]).toEqual([
    'id',
    'date',
    'amount',
    'currency',
    'method',
    'reference',
    'source',
    'status',
    'refunded',
    'voided_at',
    'voided_by',
    'void_reason',
    'contact_id',
    'contact_name',
    'invoice_id',
    'invoice_number',
    'created_at',
  ]);
  expect(records(payments).map((r) => [r.id, r.amount, r.currency, r.method, r.reference, r.status, r.refunded, r.voided_at, r.invoice_id, r.invoice_number])).toEqual([
    [pay.body.id, '5000', 'JPY', 'cash', `'-1 refund?`, 'succeeded', '0', '', jpy.id, jpy.number],
  ]);
  expect(await csv('/v1/payments.csv?method=card')).toHaveLength(1);

  const plans = await csv(`/v1/payment-plans.csv?invoiceId=${usd.id}`);
  expect(plans[0]).toEqual(['id', 'invoice_id', 'invoice_number', 'invoice_status', 'contact_id', 'contact_name', 'installment', 'date', 'amount', 'currency', 'method']);
  expect(plans.slice(1).map((r) => [r[1], r[6], r[7], r[8], r[9]])).toEqual([
    [usd.id, '1', '2026-11-15', '234.56', 'USD'],
    [usd.id, '2', '2026-12-15', '1000.00', 'USD'],
  ]);
  expect((await csv('/v1/payment-plans.csv?dateFrom=2026-12-01')).slice(1).map((r) => [r[1], r[7]])).toEqual([
    [usd.id, '2026-12-15'],
    [jpy.id, '2099-12-31'], // same date: by id (creation order)
    [kwd.id, '2099-12-31'],
  ]);

  // Bad filters are 400s before anything is streamed; paging parameters are not part of an export.
  expectError(await request('GET', '/v1/invoices.csv?status=lost'), 400, 'validation_failed');
  expectError(await request('GET', '/v1/invoices.csv?cursor=abc'), 400, 'validation_failed');
  expectError(await request('GET', '/v1/payments.csv?dateFrom=2026-13-01'), 400, 'validation_failed');
  // Another tenant sees none of it.
  const other = await createTestTenant(stack);
  expect(parseCsv((await other.request('GET', '/v1/invoices.csv')).body as string)).toHaveLength(1);
});

test('the exports reconcile: a voided payment is marked as the list marks it; credit notes and write-offs have their columns', async () => {
  const { request } = await createTestTenant(stack);
  const contact = (await request('POST', '/v1/contacts', { name: 'Grace Hopper', email: 'grace@example.com' })).body;
  const invoice = async (unitAmount: number) => {
    const res = await request('POST', '/v1/invoices', { contactId: contact.id, currency: 'USD', issueDate: '2026-11-01', dueDate: '2099-12-31', lineItems: [{ description: 'Work', quantity: 1, unitAmount }] });
    expect(res.status).toBe(201);
    return res.body;
  };
  const csv = async (url: string) => {
    const res = await request('GET', url);
    expect([url, res.status]).toEqual([url, 200]);
    return records(parseCsv(res.body as string));
  };
  const cents = (major: string) => Math.round(Number(major) * 100);

  // Payments on one invoice, one voided by hand: the export lists all of them, the voided one marked, with when, who and why.
  const paid = await invoice(10000);
  const amounts = [1500, 1500, 1500, 1500, 1500, 1500];
  const payments: { id: string }[] = [];
  for (const [n, amount] of amounts.entries()) {
    const res = await payInvoice(request, paid.id, { amount, method: 'check', reference: `chq ${n}` });
    expect(res.status).toBe(201);
    payments.push(res.body);
  }
  const voided = await request('POST', `/v1/payments/${payments[2].id}/void`, { reason: 'check bounced, re-sent' });
  expect(voided.status).toBe(200);
  const after = (await request('GET', `/v1/invoices/${paid.id}`)).body;
  expect(after).toMatchObject({ paid: 7500, due: 2500 });

  const rows = await csv(`/v1/payments.csv?invoiceId=${paid.id}`);
  const list = (await request('GET', `/v1/payments?invoiceId=${paid.id}&limit=100`)).body.data as { id: string; status: string; refunded: number; voided: { at: string; by: string | null; reason: string } | null }[];
  expect(rows.map((r) => r.id)).toEqual(list.map((p) => p.id));
  // Each row says what the API list says of the payment.
  expect(rows.map((r) => [r.id, r.status, cents(r.refunded), r.voided_at || null, r.voided_by || null, r.void_reason || null])).toEqual(
    list.map((p) => [p.id, p.status, p.refunded, p.voided?.at ?? null, p.voided?.by ?? null, p.voided?.reason ?? null]),
  );
  const row = rows.find((r) => r.id === payments[2].id)!;
  expect(row).toMatchObject({ status: 'voided', amount: '15.00', void_reason: 'check bounced, re-sent', voided_at: voided.body.voided.at, voided_by: voided.body.voided.by });
  expect(row.voided_by).toMatch(/^api_key:/);
  expect(rows.filter((r) => r.status === 'succeeded')).toHaveLength(5);
  // 6 rows of 15.00 (90.00 in all), and what was not voided is what the invoice has paid.
  expect(rows.reduce((sum, r) => sum + cents(r.amount), 0)).toBe(9000);
  expect(rows.filter((r) => r.status !== 'voided').reduce((sum, r) => sum + cents(r.amount), 0)).toBe(after.paid);

  // A credit note, part paid, the rest written off; and an invoice with a credit note only, still due.
  const closed = await invoice(10000);
  expect((await request('POST', `/v1/invoices/${closed.id}/credit-notes`, { amount: 2500, reason: 'disputed line' }, { 'idempotency-key': `cn-${closed.id}` })).status).toBe(201);
  expect((await payInvoice(request, closed.id, { amount: 7000, method: 'wire_transfer' })).status).toBe(201);
  expect((await request('POST', `/v1/invoices/${closed.id}/write-off`, { reason: 'small balance' })).status).toBe(200);
  const open = await invoice(8000);
  expect((await request('POST', `/v1/invoices/${open.id}/credit-notes`, { amount: 1000, reason: 'discount' }, { 'idempotency-key': `cn-${open.id}` })).status).toBe(201);

  const invoices = await csv(`/v1/invoices.csv?contactId=${contact.id}`);
  const byId = new Map(invoices.map((r) => [r.id, r]));
  expect(byId.get(closed.id)).toMatchObject({ status: 'paid', total: '100.00', paid: '70.00', credited: '25.00', written_off: '5.00', due: '0.00' });
  expect(byId.get(open.id)).toMatchObject({ status: 'open', total: '80.00', paid: '0.00', credited: '10.00', written_off: '0.00', due: '70.00' });
  expect(byId.get(paid.id)).toMatchObject({ total: '100.00', paid: '75.00', credited: '0.00', written_off: '0.00', due: '25.00' });
  for (const r of invoices) {
    expect([r.id, cents(r.total) - cents(r.paid) - cents(r.credited) - cents(r.written_off)]).toEqual([r.id, cents(r.due)]);
    const api = (await request('GET', `/v1/invoices/${r.id}`)).body;
    expect([cents(r.total), cents(r.paid), cents(r.credited), cents(r.written_off), cents(r.due)]).toEqual([api.total, api.paid, api.credited, api.writtenOff, api.due]);
  }
});

async function waitForPaid(request: Awaited<ReturnType<typeof createTestTenant>>['request'], id: string) {
  const deadline = Date.now() + 20_000;
  while ((await request('GET', `/v1/invoices/${id}`)).body.status !== 'paid') {
    if (Date.now() > deadline) throw new Error('invoice never paid');
    await new Promise((r) => setTimeout(r, 25));
  }
}
