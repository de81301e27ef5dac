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

  test('the status order takes only the domain statuses in its cursor', async () => {
    const t = await createTestTenant(stack);
    const contact = await newContact(t.request);
    await newInvoice(t.request, contact.id);
    await newInvoice(t.request, contact.id);
    for (const status of ['bogus', 'OPEN', '', 'void ']) {
      expectError(await t.request('GET', `/v1/invoices?sort=status&cursor=${encodeCursor(['status', status, uuid])}`), 400, 'invalid_cursor');
    }
    const first = await t.request('GET', '/v1/invoices?sort=status&limit=1');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await t.request('GET', `/v1/invoices?sort=status&limit=1&cursor=${first.body.nextCursor}`)).status).toBe(200);
  });
});

describe('bodies nested too deep, prototype keys, bidi controls, router refusals: 4xx in the Error shape', () => {
  const raw = async (url: string, payload: string, apiKey?: string) => {
    const res = await stack.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...(apiKey && { authorization: `Bearer ${apiKey}` }) } });
    return { status: res.statusCode, body: res.json() };
  };
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  test('a body nested 8000 deep is 400 malformed_json on every JSON route, signed in or not, and writes nothing', async () => {
    const t = await createTestTenant(stack);
    const contact = await newContact(t.request);
    const invoice = await newInvoice(t.request, contact.id);
    const token = /\/i\/([A-Za-z0-9_-]+)$/.exec((await t.request('GET', `/v1/invoices/${invoice.id}`)).body.customerUrl)![1];
    const before = await tenantCounts(stack, t.tenantId);
    for (const [url, apiKey] of [
      ['/v1/session', undefined],
      [`/v1/public/invoices/${token}/checkout`, undefined],
      ['/v1/contacts', t.apiKey],
      [`/v1/invoices/${invoice.id}/payments`, t.apiKey],
    ] as const) {
      for (const payload of [nested(8000), `{"name":${nested(8000)}}`]) {
        const res = await raw(url, payload, apiKey);
        expect({ url, status: res.status, code: res.body.error?.code }).toEqual({ url, status: 400, code: 'malformed_json' });
        expect(res.body.error.details).toEqual({ maxDepth: 32 });
      }
    }
    expect(await tenantCounts(stack, t.tenantId)).toEqual(before);
    // Up to the limit the body is parsed (and answered by the route's schema).
    expectError(await raw('/v1/contacts', `{"name":${nested(31)}}`, t.apiKey), 400, 'validation_failed');
  });

  test.each([
    ['{"name":"Ada","__proto__":{"admin":true}}', '/__proto__', '__proto__'],
    ['{"name":"Ada","company":"x","email":null,"x":[{"__proto__":1}]}', '/x/0/__proto__', '__proto__'],
    ['{"name":"Ada","constructor":{"prototype":{"admin":true}}}', '/constructor', 'constructor.prototype'],
  ])('%s is 400 forbidden_property naming it, nothing created', async (payload, path, property) => {
    const t = await createTestTenant(stack);
    const before = await tenantCounts(stack, t.tenantId);
    const res = await raw('/v1/contacts', payload, t.apiKey);
    expectError(res, 400, 'forbidden_property');
    expect(res.body.error.details).toEqual({ path, property });
    expect(res.body.error.message).toContain(property);
    expect(res.body.error.message).not.toMatch(/not valid JSON/);
    expect(await tenantCounts(stack, t.tenantId)).toEqual(before);
  });

  test.each(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])('bidi control %j in text is 400 invalid_text, nothing created', async (c) => {
    const t = await createTestTenant(stack);
    const contact = await newContact(t.request);
    const before = await tenantCounts(stack, t.tenantId);
    const character = `U+${c.charCodeAt(0).toString(16).toUpperCase()}`;
    const named = await t.request('POST', '/v1/contacts', { name: `Acme${c}gnp.exe` });
    expectError(named, 400, 'invalid_text');
    expect(named.body.error.details).toEqual({ part: 'body', path: '/name', character });
    expect(named.body.error.message).toContain(character);
    const line = await t.request('POST', '/v1/invoices', invoiceBody(contact.id, { lineItems: [{ description: `Work ${c}`, quantity: 1, unitAmount: 5000 }] }));
    expectError(line, 400, 'invalid_text');
    expect(line.body.error.details.path).toBe('/lineItems/0/description');
    const search = await t.request('GET', `/v1/invoices?q=${encodeURIComponent(`a${c}`)}`);
    expectError(search, 400, 'invalid_text');
    expect(search.body.error.details).toMatchObject({ part: 'query', path: '/q' });
    expect(await tenantCounts(stack, t.tenantId)).toEqual(before);
  });

  test('right-to-left text and the implicit direction marks stay accepted', async () => {
    const t = await createTestTenant(stack);
    const res = await t.request('POST', '/v1/contacts', { name: 'شركة\u200f Acme\u200e \u061c' });
    expect(res.status).toBe(201);
  });

  test('the OpenAPI pattern of free text excludes NUL and the bidi controls', async () => {
    const doc = (await stack.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const pattern = String.raw`^[^\u0000\u202a-\u202e\u2066-\u2069]*$`;
    expect(JSON.stringify(doc.paths['/v1/contacts'].post.requestBody)).toContain(JSON.stringify(pattern));
  });

  test('a path that is not valid percent-encoding is 400 bad_url; a path segment past 2048 characters is 414 uri_too_long', async () => {
    const t = await createTestTenant(stack);
    for (const res of [await t.request('GET', '/v1/invoices/%ZZ'), await stack.app.inject({ method: 'GET', url: '/i/%ZZ' }).then((r) => ({ status: r.statusCode, body: r.json() }))]) {
      expectError(res, 400, 'bad_url');
      expect(res.body).toEqual({ error: { code: 'bad_url', message: expect.any(String), details: {} } });
    }
    const long = await stack.app.inject({ method: 'GET', url: `/v1/public/invoices/${'a'.repeat(5000)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ error: { code: 'uri_too_long', message: expect.stringContaining('2048'), details: { maxLength: 2048 } } });
  });
});
