import { randomUUID } from 'node:crypto';
import { useTestStack, createTestTenant } from '../support/stack';
import { listApiKeys, revokeApiKey } from '../../services/tenants';
import { expectError, invoiceBody, newContact, newInvoice, tenantCounts } from '../support/api';

const stack = useTestStack();

const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: unknown) =>
  stack.app.inject({ method, url, headers, payload: payload as never }).then((r) => ({ status: r.statusCode, body: r.json() }));

describe('authentication', () => {
  test('no key, a malformed header and an unknown key are 401 with the error shape', async () => {
    const headerSets: Record<string, string>[] = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer' }, { authorization: 'Bearer pc_not_a_real_key' }];
    for (const headers of headerSets) {
      const res = await inject('GET', '/v1/invoices', headers);
      expectError(res, 401, 'unauthorized');
    }
    const post = await inject('POST', '/v1/contacts', {}, { name: 'x' });
    expectError(post, 401, 'unauthorized');
  });

  test('a revoked key is 401 and writes nothing', async () => {
    const { tenantId, apiKey, request } = await createTestTenant(stack);
    expect((await request('GET', '/v1/contacts')).status).toBe(200);
    const [key] = await listApiKeys(stack.deps, tenantId);
    await revokeApiKey(stack.deps, key.id);
    const res = await request('POST', '/v1/contacts', { name: 'Ghost' });
    expectError(res, 401, 'unauthorized');
    expectError(await inject('GET', '/v1/contacts', { authorization: `Bearer ${apiKey}` }), 401, 'unauthorized');
    expect((await tenantCounts(stack, tenantId)).contacts).toBe(0);
  });
});

describe('plan gating', () => {
  const id = randomUUID();
  const routes: [ 'GET' | 'POST', string, unknown?][] = [
    ['POST', '/v1/contacts', { name: 'x' }],
    ['GET', '/v1/contacts'],
    ['GET', `/v1/contacts/${id}`],
    ['POST', '/v1/deals', { name: 'd', contactId: id, amount: 1, currency: 'USD' }],
    ['GET', '/v1/deals'],
    ['POST', '/v1/invoices', invoiceBody(id)],
    ['GET', '/v1/invoices'],
    ['GET', `/v1/invoices/${id}`],
    ['POST', `/v1/invoices/${id}/void`, {}],
    ['POST', `/v1/invoices/${id}/payments`, { amount: 1, method: 'cash' }],
    ['POST', '/v1/payments', { contactId: id, amount: 1, currency: 'USD', method: 'cash' }],
    ['GET', '/v1/payments'],
    ['GET', `/v1/payments/${id}`],
    ['GET', '/v1/payment-plans'],
  ];

  test.each(['free', 'starter'])('a %s tenant gets 403 plan_required on every Payment Center route', async (plan) => {
    const { tenantId, request } = await createTestTenant(stack, plan);
    for (const [method, url, body] of routes) {
      const res = await request(method, url, body, { 'idempotency-key': `k-${url}` });
      expect({ route: `${method} ${url}`, status: res.status, code: res.body?.error?.code }).toEqual({ route: `${method} ${url}`, status: 403, code: 'plan_required' });
      expect(res.body.error.details).toMatchObject({ plan });
    }
    expect(await tenantCounts(stack, tenantId)).toEqual({ contacts: 0, deals: 0, invoices: 0, payments: 0, planned_payments: 0, invoice_events: 0 });
  });

  test('professional and enterprise tenants are allowed', async () => {
    for (const plan of ['professional', 'enterprise']) {
      const { request } = await createTestTenant(stack, plan);
      expect((await request('GET', '/v1/invoices')).status).toBe(200);
    }
  });
});

describe('tenant isolation', () => {
  test("another tenant's contact, invoice, deal and payments are 404 and never listed", async () => {
    const a = await createTestTenant(stack);
    const b = await createTestTenant(stack);
    const contact = await newContact(a.request, 'Alice of A');
    const deal = await a.request('POST', '/v1/deals', { name: 'Deal A', contactId: contact.id, amount: 5000, currency: 'USD' });
    expect(deal.status).toBe(201);
    const invoice = await newInvoice(a.request, contact.id, { dealId: deal.body.id });
    const pay = await a.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' });
    expect(pay.status).toBe(201);
    const loose = await a.request('POST', '/v1/payments', { contactId: contact.id, amount: 7, currency: 'USD', method: 'cash' });
    expect(loose.status).toBe(201);
    const before = await tenantCounts(stack, a.tenantId);

    expectError(await b.request('GET', `/v1/contacts/${contact.id}`), 404, 'not_found');
    expectError(await b.request('GET', `/v1/invoices/${invoice.id}`), 404, 'not_found');
    expectError(await b.request('GET', `/v1/payments/${pay.body.id}`), 404, 'not_found');
    expectError(await b.request('GET', `/v1/payments/${loose.body.id}`), 404, 'not_found');
    for (const url of ['/v1/contacts', '/v1/deals', '/v1/invoices', '/v1/payments', '/v1/payment-plans', `/v1/invoices?contactId=${contact.id}`, `/v1/payments?invoiceId=${invoice.id}`, `/v1/payments?contactId=${contact.id}`, `/v1/payment-plans?invoiceId=${invoice.id}`, `/v1/deals?contactId=${contact.id}`, '/v1/invoices?q=Alice', '/v1/contacts?q=Alice']) {
      const res = await b.request('GET', url);
      expect({ url, status: res.status, data: res.body.data }).toEqual({ url, status: 200, data: [] });
    }
    // and B cannot act on A's objects
    expectError(await b.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' }), 404, 'not_found');
    expectError(await b.request('POST', `/v1/invoices/${invoice.id}/void`, {}), 404, 'not_found');
    expectError(await b.request('POST', '/v1/payments', { contactId: contact.id, amount: 5, currency: 'USD', method: 'cash' }), 404, 'not_found');
    expectError(await b.request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 5, method: 'cash' }), 404, 'not_found');
    expectError(await b.request('POST', '/v1/invoices', invoiceBody(contact.id)), 404, 'not_found');
    expectError(await b.request('POST', '/v1/deals', { name: 'x', contactId: contact.id, amount: 1, currency: 'USD' }), 404, 'not_found');
    const bContact = await newContact(b.request);
    expectError(await b.request('POST', '/v1/invoices', invoiceBody(bContact.id, { dealId: deal.body.id })), 404, 'not_found');

    expect(await tenantCounts(stack, a.tenantId)).toEqual(before);
    expect(await tenantCounts(stack, b.tenantId)).toMatchObject({ contacts: 1, deals: 0, invoices: 0, payments: 0 });
    const after = await a.request('GET', `/v1/invoices/${invoice.id}`);
    expect(after.body).toMatchObject({ paid: 100, due: 4900, status: 'open' });
  });
});
