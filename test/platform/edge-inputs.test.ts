/**
 * Inputs that used to reach Postgres and fail there (issue: hardening §1): every string must be
 * storable text, every date lies in 1900-01-01..9999-12-31, cursors are checked part by part, and
 * the last accepted due date still gets a working invoice workflow.
 */
import { encodeCursor } from '../../services/pagination';
import { expectError, invoiceBody, invoiceRow, newContact, newInvoice, tenantCounts } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';
import { createStripeTenant, deliver, paymentIntentObject, stripeEvent, TEST_ENCRYPTION_KEY } from '../support/stripe';

const stack = useTestStack();
const LONE_SURROGATE = 'x\ud800';

beforeAll(() => {
  Object.assign(stack.process.config, { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
});

describe('text that Postgres cannot store is a 400 before anything runs', () => {
  test('void reason with a lone surrogate: 400, the invoice stays open and can still be voided', async () => {
    const t = await createTestTenant(stack);
    const contact = await newContact(t.request);
    const invoice = await newInvoice(t.request, contact.id);
    const res = await t.request('POST', `/v1/invoices/${invoice.id}/void`, { reason: LONE_SURROGATE });
    expectError(res, 400, 'invalid_text');
    expect(res.body.error.details).toEqual({ part: 'body', path: '/reason' });
    expect((await invoiceRow(stack, invoice.id))?.status).toBe('open');
    expect((await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' })).status).toBe(201);
    const voided = await t.request('POST', `/v1/invoices/${invoice.id}/void`, { reason: 'typo' });
    expect({ status: voided.status, invoice: voided.body.status }).toEqual({ status: 200, invoice: 'void' });
  });

  test.each([
    ['/v1/contacts', () => ({ name: LONE_SURROGATE })],
    ['/v1/contacts', () => ({ name: 'Ada', company: `Acme\u0000` })],
  ])('POST %s with an Idempotency-Key: 400 on every retry, nothing created', async (url, body) => {
    const t = await createTestTenant(stack);
    const before = await tenantCounts(stack, t.tenantId);
    for (let i = 0; i < 3; i++) expectError(await t.request('POST', url, body(), { 'idempotency-key': 'edge-1' }), 400, 'invalid_text');
    expect(await tenantCounts(stack, t.tenantId)).toEqual(before);
  });

  test('deal names and line item descriptions', async () => {
    const t = await createTestTenant(stack);
    const contact = await newContact(t.request);
    const before = await tenantCounts(stack, t.tenantId);
    expectError(await t.request('POST', '/v1/deals', { name: LONE_SURROGATE, contactId: contact.id, amount: 100, currency: 'USD' }, { 'idempotency-key': 'd1' }), 400, 'invalid_text');
    const lines = [{ description: `Work ${LONE_SURROGATE}`, quantity: 1, unitAmount: 5000 }];
    const res = await t.request('POST', '/v1/invoices', invoiceBody(contact.id, { lineItems: lines }));
    expectError(res, 400, 'invalid_text');
    expect(res.body.error.details.path).toBe('/lineItems/0/description');
    expect(await tenantCounts(stack, t.tenantId)).toEqual(before);
  });

  test('a signed Stripe event holding a NUL is refused, not stored', async () => {
    const t = await createStripeTenant(stack);
    const pi = paymentIntentObject({ amount: 100, tenantId: t.tenantId, invoiceId: '0190f0f0-0000-7000-8000-000000000000' });
    const res = await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', { ...pi, description: 'a\u0000b' }), t.webhookSecret);
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 400, code: 'malformed_payload' });
    const [row] = await stack.orm.em.getConnection().execute<{ n: number }[]>('select count(*)::int as n from stripe_events where tenant_id = ?', [t.tenantId]);
    expect(row.n).toBe(0);
  });
});

describe('dates: one range, 1900-01-01 to 9999-12-31, in every body and query field', () => {
  test.each([
    '/v1/payments?dateFrom=0000-01-01',
    '/v1/payments?dateTo=0000-01-01',
    '/v1/invoices?issueDateFrom=0000-01-01',
    '/v1/invoices?dueDateTo=0000-01-01',
    '/v1/payment-plans?dateFrom=0000-01-01',
    '/v1/reminders?dateFrom=0000-01-01',
    '/v1/payments?dateFrom=0099-12-31',
    '/v1/invoices?issueDateFrom=1899-12-31',
  ])('GET %s is a 400 validation error', async (url) => {
    const t = await createTestTenant(stack);
    expectError(await t.request('GET', url), 400, 'validation_failed');
  });

  test('the range ends are accepted in filters and bodies', async () => {
    const t = await createTestTenant(stack);
    expect((await t.request('GET', '/v1/invoices?issueDateFrom=1900-01-01&dueDateTo=9999-12-31')).status).toBe(200);
    const contact = await newContact(t.request);
    expectError(await t.request('POST', '/v1/invoices', invoiceBody(contact.id, { issueDate: '1899-12-31' })), 400, 'validation_failed');
    expectError(await t.request('POST', '/v1/payments', { contactId: contact.id, amount: 100, currency: 'USD', method: 'cash', date: '0001-01-01' }), 400, 'validation_failed');
  });

  test('dueDate 9999-12-31 makes a live invoice that takes payments', async () => {
    const t = await createTestTenant(stack);
    const contact = await newContact(t.request);
    const invoice = await newInvoice(t.request, contact.id, { dueDate: '9999-12-31' });
    const paid = await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 5000, method: 'wire_transfer' });
    expect(paid.status).toBe(201);
    expect(await invoiceRow(stack, invoice.id)).toMatchObject({ status: 'paid', due: 0 });
  });
});

describe('forged cursors are a 400', () => {
  const uuid = '0190f0f0-0000-7000-8000-000000000000';
  test.each([
    ['/v1/payments', ['0000-01-01T00:00:00.000Z', uuid]],
    ['/v1/payments', ['+275760-09-13T00:00:00.000Z', uuid]],
    ['/v1/reminders', ['0000-01-01T00:00:00.000Z', uuid]],
    ['/v1/reminders', ['+275760-09-13T00:00:00.000Z', uuid]],
    ['/v1/integrations/stripe/events', ['x', 'y']],
    ['/v1/payment-plans', ['0000-01-01', uuid]],
  ])('%s with cursor %j', async (url, key) => {
    const t = await createTestTenant(stack);
    expectError(await t.request('GET', `${url}?cursor=${encodeCursor(key)}`), 400, 'invalid_cursor');
  });
});
