import { useTestStack, createTestTenant } from '../support/stack';
import { expectError, invoiceBody, newContact, newInvoice, tenantCounts } from '../support/api';

const stack = useTestStack();

interface Ctx {
  contactId: string;
  invoiceId: string;
}
type Case = [name: string, method: 'GET' | 'POST', url: (c: Ctx) => string, body: (c: Ctx) => unknown, status: number, code?: string, headers?: Record<string, string>];

const lines = (unitAmount: unknown = 5000, quantity: unknown = 1) => [{ description: 'Work', quantity, unitAmount }];
const inv = (over: Record<string, unknown>) => (c: Ctx) => invoiceBody(c.contactId, over);
const invUrl = () => '/v1/invoices';
const payUrl = (c: Ctx) => `/v1/invoices/${c.invoiceId}/payments`;
const pay = (over: Record<string, unknown>) => () => ({ amount: 100, method: 'cash', ...over });
const loose = (over: Record<string, unknown>) => (c: Ctx) => ({ contactId: c.contactId, amount: 100, currency: 'USD', method: 'cash', ...over });

const cases: Case[] = [
  // invoices
  ['invoice: wrong type for lineItems', 'POST', invUrl, inv({ lineItems: 'lots' }), 400],
  ['invoice: no line items', 'POST', invUrl, inv({ lineItems: [] }), 400],
  ['invoice: fractional unitAmount', 'POST', invUrl, inv({ lineItems: lines(10.5) }), 400],
  ['invoice: string unitAmount', 'POST', invUrl, inv({ lineItems: lines('5000') }), 400],
  ['invoice: zero quantity', 'POST', invUrl, inv({ lineItems: lines(5000, 0) }), 400],
  ['invoice: line amount overflow', 'POST', invUrl, inv({ lineItems: lines(100_000_000_000_00, 1_000_000) }), 400, 'amount_too_large'],
  ['invoice: line amount past the maximum', 'POST', invUrl, inv({ lineItems: lines(100_000_000_000_00, 11) }), 400, 'amount_too_large'],
  ['invoice: unknown field', 'POST', invUrl, inv({ discount: 5 }), 400],
  ['invoice: unknown line item field', 'POST', invUrl, inv({ lineItems: [{ description: 'x', quantity: 1, unitAmount: 1, tax: 1 }] }), 400],
  ['invoice: due before issue', 'POST', invUrl, inv({ issueDate: '2026-05-10', dueDate: '2026-05-09' }), 400, 'due_before_issue'],
  ['invoice: plan not summing to total', 'POST', invUrl, inv({ paymentPlan: [{ amount: 2000, date: '2099-01-01' }, { amount: 2000, date: '2099-02-01' }] }), 400, 'plan_total_mismatch'],
  ['invoice: plan date before issue', 'POST', invUrl, inv({ issueDate: '2098-05-10', dueDate: '2098-06-10', paymentPlan: [{ amount: 5000, date: '2098-05-09' }] }), 400, 'plan_date_before_issue'],
  ['invoice: plan date after due', 'POST', invUrl, inv({ issueDate: '2098-05-10', dueDate: '2098-06-10', paymentPlan: [{ amount: 2500, date: '2098-06-10' }, { amount: 2500, date: '2098-06-11' }] }), 400, 'plan_date_after_due'],
  ['invoice: plan with fractional amount', 'POST', invUrl, inv({ paymentPlan: [{ amount: 4999.5, date: '2099-01-01' }, { amount: 0.5, date: '2099-01-01' }] }), 400],
  ['invoice: plan with unknown method', 'POST', invUrl, inv({ paymentPlan: [{ amount: 5000, date: '2099-01-01', method: 'bitcoin' }] }), 400],
  ['invoice: empty plan', 'POST', invUrl, inv({ paymentPlan: [] }), 400],
  ['invoice: currency XXY', 'POST', invUrl, inv({ currency: 'XXY' }), 400],
  ['invoice: currency usd', 'POST', invUrl, inv({ currency: 'usd' }), 400],
  ['invoice: currency USDX', 'POST', invUrl, inv({ currency: 'USDX' }), 400],
  ['invoice: issue date 2026-02-30', 'POST', invUrl, inv({ issueDate: '2026-02-30' }), 400],
  ['invoice: due date 2026-13-01', 'POST', invUrl, inv({ dueDate: '2026-13-01' }), 400],
  ['invoice: due date 2026-1-5', 'POST', invUrl, inv({ dueDate: '2026-1-5' }), 400],
  ['invoice: due date with time', 'POST', invUrl, inv({ dueDate: '2026-12-01T00:00:00Z' }), 400],
  ['invoice: plan date 2099-02-29', 'POST', invUrl, inv({ paymentPlan: [{ amount: 5000, date: '2099-02-29' }] }), 400],
  ['invoice: contactId not a uuid', 'POST', invUrl, () => invoiceBody('123'), 400],
  ['invoice: unknown contact', 'POST', invUrl, () => invoiceBody('0190f0f0-0000-7000-8000-000000000000'), 404, 'not_found'],
  ['invoice: unknown deal', 'POST', invUrl, inv({ dealId: '0190f0f0-0000-7000-8000-000000000000' }), 404, 'not_found'],
  ['invoice: dealId not a uuid', 'POST', invUrl, inv({ dealId: 'deal-1' }), 400],
  ['invoice: invalid number', 'POST', invUrl, inv({ number: ' spaced out' }), 400],
  ['invoice: missing body', 'POST', invUrl, () => undefined, 400],
  ['invoice: array body', 'POST', invUrl, () => [1, 2], 400],
  // payments on an invoice
  ['invoice payment: method bitcoin', 'POST', payUrl, pay({ method: 'bitcoin' }), 400],
  ['invoice payment: unknown field', 'POST', payUrl, pay({ tip: 1 }), 400],
  ['invoice payment: date 2026-02-30', 'POST', payUrl, pay({ date: '2026-02-30' }), 400],
  ['invoice payment: currency usd', 'POST', payUrl, pay({ currency: 'usd' }), 400],
  ['invoice payment: currency XXY', 'POST', payUrl, pay({ currency: 'XXY' }), 400],
  ['invoice payment: missing method', 'POST', payUrl, () => ({ amount: 100 }), 400],
  ['invoice payment: unknown invoice', 'POST', () => '/v1/invoices/0190f0f0-0000-7000-8000-000000000000/payments', pay({}), 404, 'not_found'],
  ['invoice payment: non-uuid invoice id', 'POST', () => '/v1/invoices/INV-000001/payments', pay({}), 400],
  // payments without an invoice
  ['payment: currency XXY', 'POST', () => '/v1/payments', loose({ currency: 'XXY' }), 400],
  ['payment: currency usd', 'POST', () => '/v1/payments', loose({ currency: 'usd' }), 400],
  ['payment: method bitcoin', 'POST', () => '/v1/payments', loose({ method: 'bitcoin' }), 400],
  ['payment: invalid date', 'POST', () => '/v1/payments', loose({ date: '2026-04-31' }), 400],
  ['payment: unknown contact', 'POST', () => '/v1/payments', loose({ contactId: '0190f0f0-0000-7000-8000-000000000000' }), 404, 'not_found'],
  ['payment: unknown invoice', 'POST', () => '/v1/payments', loose({ invoiceId: '0190f0f0-0000-7000-8000-000000000000' }), 404, 'not_found'],
  ['payment: reference too long', 'POST', () => '/v1/payments', loose({ reference: 'r'.repeat(201) }), 400],
  ['payment: unknown field', 'POST', () => '/v1/payments', loose({ invoiceNumber: 'INV-000001' }), 400],
  // contacts and deals
  ['contact: empty name', 'POST', () => '/v1/contacts', () => ({ name: '' }), 400],
  ['contact: blank name', 'POST', () => '/v1/contacts', () => ({ name: '   ' }), 400],
  ['contact: bad email', 'POST', () => '/v1/contacts', () => ({ name: 'x', email: 'not-an-email' }), 400],
  ['contact: number as name', 'POST', () => '/v1/contacts', () => ({ name: 42 }), 400],
  ['contact: unknown field', 'POST', () => '/v1/contacts', () => ({ name: 'x', phone: '1' }), 400],
  ['deal: negative amount', 'POST', () => '/v1/deals', (c) => ({ name: 'd', contactId: c.contactId, amount: -1, currency: 'USD' }), 400],
  ['deal: fractional amount', 'POST', () => '/v1/deals', (c) => ({ name: 'd', contactId: c.contactId, amount: 1.5, currency: 'USD' }), 400],
  ['deal: currency XXY', 'POST', () => '/v1/deals', (c) => ({ name: 'd', contactId: c.contactId, amount: 1, currency: 'XXY' }), 400],
  ['deal: blank name', 'POST', () => '/v1/deals', (c) => ({ name: '  ', contactId: c.contactId, amount: 1, currency: 'USD' }), 400],
  // void
  ['void: reason of the wrong type', 'POST', (c) => `/v1/invoices/${c.invoiceId}/void`, () => ({ reason: 5 }), 400],
  ['void: unknown field', 'POST', (c) => `/v1/invoices/${c.invoiceId}/void`, () => ({ force: true }), 400],
  ['void: non-uuid id', 'POST', () => '/v1/invoices/abc/void', () => ({}), 400],
  // NUL bytes cannot be stored by Postgres: rejected up front, never a 500 or a stuck workflow
  ['contact: NUL in name', 'POST', () => '/v1/contacts', () => ({ name: 'a\u0000b' }), 400],
  ['invoice: NUL in a line description', 'POST', invUrl, inv({ lineItems: [{ description: 'a\u0000b', quantity: 1, unitAmount: 5000 }] }), 400],
  ['invoice payment: NUL in reference', 'POST', payUrl, pay({ reference: 'a\u0000b' }), 400],
  ['payment: NUL in reference', 'POST', () => '/v1/payments', loose({ reference: '\u0000' }), 400],
  ['void: NUL in reason', 'POST', (c) => `/v1/invoices/${c.invoiceId}/void`, () => ({ reason: 'x\u0000' }), 400],
  ['invoices list: NUL in q', 'GET', () => '/v1/invoices?q=a%00b', () => undefined, 400],
  ['payments list: NUL in q', 'GET', () => '/v1/payments?q=%00', () => undefined, 400],
  // paths and reads
  ['GET invoice: non-uuid id', 'GET', () => '/v1/invoices/not-a-uuid', () => undefined, 400],
  ['GET contact: non-uuid id', 'GET', () => '/v1/contacts/123', () => undefined, 400],
  // Longer than the router's default 100 characters (which would answer a bare 414): the id's schema answers.
  ['GET invoice: 300-character id', 'GET', () => `/v1/invoices/${'a'.repeat(300)}`, () => undefined, 400],
  ['GET payment: non-uuid id', 'GET', () => '/v1/payments/%27%3B%20drop%20table', () => undefined, 400],
  ['GET invoice: unknown uuid', 'GET', () => '/v1/invoices/0190f0f0-0000-7000-8000-000000000000', () => undefined, 404, 'not_found'],
  ['GET contact: unknown uuid', 'GET', () => '/v1/contacts/0190f0f0-0000-7000-8000-000000000000', () => undefined, 404, 'not_found'],
  ['unknown route', 'GET', () => '/v1/nothing-here', () => undefined, 404],
  ['idempotency key too long', 'POST', () => '/v1/contacts', () => ({ name: 'x' }), 400, undefined, { 'idempotency-key': 'k'.repeat(256) }],
];

const rows = cases.map(([name, method, url, body, status, code, headers]) => ({ name, method, url, body, status, code, headers }));
test.each(rows)('$name → $status, nothing written', async ({ method, url, body, status, code, headers }) => {
  const { tenantId, request } = await createTestTenant(stack);
  const contact = await newContact(request);
  const invoice = await newInvoice(request, contact.id);
  const ctx = { contactId: contact.id, invoiceId: invoice.id };
  const before = await tenantCounts(stack, tenantId);
  const res = await request(method, url(ctx), body(ctx), headers ?? {});
  expectError(res, status, code);
  expect(await tenantCounts(stack, tenantId)).toEqual(before);
  const after = await request('GET', `/v1/invoices/${invoice.id}`);
  expect(after.body).toMatchObject({ status: 'open', paid: 0, due: 5000 });
});

describe('raw bodies', () => {
  const raw = async (apiKey: string, url: string, payload: string, contentType = 'application/json') => {
    const res = await stack.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${apiKey}`, 'content-type': contentType } });
    return { status: res.statusCode, body: res.json() };
  };

  test('malformed JSON is 400 malformed_json on every POST and writes nothing', async () => {
    const { tenantId, apiKey, request } = await createTestTenant(stack);
    const contact = await newContact(request);
    const invoice = await newInvoice(request, contact.id);
    const before = await tenantCounts(stack, tenantId);
    for (const url of ['/v1/contacts', '/v1/deals', '/v1/invoices', '/v1/payments', `/v1/invoices/${invoice.id}/payments`, `/v1/invoices/${invoice.id}/void`]) {
      for (const payload of ['{"name":', '{name: "x"}', "{'a':1}", '{"amount": 1,}']) {
        const res = await raw(apiKey, url, payload);
        expect({ url, payload, status: res.status, code: res.body.error?.code }).toEqual({ url, payload, status: 400, code: 'malformed_json' });
      }
    }
    expect(await tenantCounts(stack, tenantId)).toEqual(before);
  });

  test('a non-JSON content type is 415 with the error shape', async () => {
    const { apiKey } = await createTestTenant(stack);
    const res = await raw(apiKey, '/v1/contacts', 'name=x', 'application/x-www-form-urlencoded');
    expectError(res, 415);
  });

  test('validation errors list the offending fields', async () => {
    const { request } = await createTestTenant(stack);
    const res = await request('POST', '/v1/contacts', { name: 42, extra: true });
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.details.issues.length).toBeGreaterThanOrEqual(1);
  });
});
