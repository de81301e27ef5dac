/**
 * The HTTP contract beyond single routes: the OpenAPI document names every error answer and its
 * codes, wrong methods are 405 with Allow, bodies are UTF-8 JSON only, and callers have budgets.
 */
import { gzipSync } from 'node:zlib';
import Stripe from 'stripe';
import { buildApp } from '../../api/app';
import { useTestStack, createTestTenant } from '../support/stack';
import { expectError, newContact, newInvoice } from '../support/api';

const stack = useTestStack();

type Operation = {
  summary?: string;
  description?: string;
  requestBody?: { required?: boolean };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: Record<string, unknown> }> }>;
  'x-error-codes'?: Record<string, string[]>;
};
const operations = () => {
  const doc = stack.app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, op })));
};

describe('OpenAPI document', () => {
  test('every operation has a summary, a description and its error answers with the Error schema and their codes', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(26);
    for (const { label, op } of ops) {
      expect({ label, summary: typeof op.summary, description: typeof op.description }).toEqual({ label, summary: 'string', description: 'string' });
      const errors = Object.keys(op.responses).filter((s) => Number(s) >= 400);
      expect({ label, has: ['429', '503'].every((s) => errors.includes(s)) }).toEqual({ label, has: true });
      for (const status of errors) {
        const response = op.responses[status];
        const codes = op['x-error-codes']?.[status] ?? [];
        expect({ label, status, codes: codes.length > 0 }).toEqual({ label, status, codes: true });
        for (const code of codes) expect(response.description).toContain(`\`${code}\``);
        expect(JSON.stringify(response.content?.['application/json'].schema)).toContain('#/components/schemas/Error');
      }
    }
  });

  test('authenticated operations document 401 and 403; bodies 400, 413 and 415; path ids 404; 429 and 503 a Retry-After', () => {
    const byLabel = Object.fromEntries(operations().map(({ label, op }) => [label, op]));
    const payment = byLabel['POST /v1/invoices/{id}/payments'];
    expect(Object.keys(payment.responses).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '503']);
    expect(payment['x-error-codes']).toMatchObject({ 409: expect.arrayContaining(['overpayment', 'invoice_void', 'idempotency_in_progress']), 422: ['idempotency_key_reused'] });
    expect(payment.responses['429'].headers).toHaveProperty('Retry-After');
    expect(payment.responses['503'].headers).toHaveProperty('Retry-After');
    const webhook = byLabel['POST /v1/webhooks/stripe/{tenantId}'];
    expect(webhook.responses).not.toHaveProperty('401');
    expect(webhook['x-error-codes']).toMatchObject({ 400: expect.arrayContaining(['invalid_signature']) });
  });

  test('DELETE /v1/integrations/stripe documents its 204; void and checkout bodies are optional', () => {
    const byLabel = Object.fromEntries(operations().map(({ label, op }) => [label, op]));
    expect(Object.keys(byLabel['DELETE /v1/integrations/stripe'].responses)).toContain('204');
    expect(byLabel['DELETE /v1/integrations/stripe'].responses).not.toHaveProperty('200');
    expect(byLabel['POST /v1/invoices/{id}/void'].requestBody?.required).toBe(false);
    expect(byLabel['POST /v1/invoices/{id}/checkout'].requestBody?.required).toBe(false);
    expect(byLabel['POST /v1/invoices'].requestBody?.required).toBe(true);
  });

  test('what the server enforces is in the schema: ISO 4217 currencies, realistic examples, what q matches', () => {
    const doc = JSON.stringify(stack.app.swagger());
    const body = (stack.app.swagger() as unknown as { paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> }; example?: unknown }> } }>> })
      .paths['/v1/invoices'].post.requestBody.content['application/json'];
    expect(body.schema.properties.currency.enum).toEqual(expect.arrayContaining(['USD', 'EUR', 'JPY']));
    expect(body.schema.properties.currency.enum).not.toContain('XOI');
    expect(body.example).toMatchObject({ currency: 'USD', dueDate: '2026-12-15', lineItems: [{ unitAmount: 12500 }] });
    expect(doc).toContain('case-insensitive substring of the invoice number or the contact name');
  });

  test('served at /docs/json', async () => {
    const res = await stack.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().paths['/v1/invoices'].get.summary).toBe('List invoices');
  });
});

describe('methods and media types', () => {
  test('an existing path with another method is 405 with Allow; an unknown path stays 404', async () => {
    const { request } = await createTestTenant(stack);
    const contact = await newContact(request);
    const res = await request('DELETE', `/v1/contacts/${contact.id}`);
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe('GET, HEAD');
    const list = await stack.app.inject({ method: 'PATCH', url: '/v1/invoices?limit=1' });
    expect(list.statusCode).toBe(405);
    expect(list.headers.allow).toBe('GET, HEAD, POST');
    const webhook = await stack.app.inject({ method: 'GET', url: '/v1/webhooks/stripe/some-tenant' });
    expect({ status: webhook.statusCode, allow: webhook.headers.allow }).toEqual({ status: 405, allow: 'POST' });
    expectError(await request('GET', '/v1/nothing-here'), 404, 'route_not_found');
  });

  test('text/plain or a non-UTF-8 charset is 415 unsupported_media_type and writes nothing; UTF-8 JSON is accepted', async () => {
    const { apiKey, request } = await createTestTenant(stack);
    const post = (contentType: string, payload: string | Buffer) =>
      stack.app.inject({ method: 'POST', url: '/v1/contacts', payload, headers: { authorization: `Bearer ${apiKey}`, 'content-type': contentType } });
    for (const [type, payload] of [
      ['text/plain', '{"name":"Plain"}'],
      ['text/plain; charset=utf-8', '{"name":"Plain"}'],
      ['application/json; charset=iso-8859-1', Buffer.from('{"name":"Ren\xe9"}', 'latin1')],
      ['application/json; charset=utf-16', Buffer.from('{"name":"Wide"}', 'utf16le')],
    ] as const) {
      const res = await post(type, payload);
      expect({ type, status: res.statusCode, code: res.json().error?.code }).toEqual({ type, status: 415, code: 'unsupported_media_type' });
    }
    expect((await request('GET', '/v1/contacts')).body.data).toEqual([]);
    expect((await post('application/json; charset=UTF-8', '{"name":"Utf"}')).statusCode).toBe(201);
    expect((await post('application/json', '{"name":"Plain JSON"}')).statusCode).toBe(201);
  });

  test('a compressed body (Content-Encoding other than identity) is 415 and writes nothing: it is not read as if it were plain', async () => {
    const { apiKey, request } = await createTestTenant(stack);
    const post = (encoding: string, payload: string | Buffer) =>
      stack.app.inject({ method: 'POST', url: '/v1/contacts', payload, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'content-encoding': encoding } });
    for (const [encoding, payload] of [
      ['gzip', '{"name":"Not gzipped"}'],
      ['gzip', gzipSync('{"name":"Gzipped"}')],
      ['br', '{"name":"Brotli"}'],
    ] as const) {
      const res = await post(encoding, payload);
      expect({ encoding, status: res.statusCode, code: res.json().error?.code }).toEqual({ encoding, status: 415, code: 'unsupported_media_type' });
    }
    expect((await request('GET', '/v1/contacts')).body.data).toEqual([]);
    expect((await post('identity', '{"name":"Identity"}')).statusCode).toBe(201);
  });

  test('DELETE /v1/integrations/stripe answers 204 without a body', async () => {
    const { request } = await createTestTenant(stack);
    const res = await request('DELETE', '/v1/integrations/stripe');
    expect(res.status).toBe(204);
    expect(res.body).toBeFalsy();
  });

  test('void without a body, with null and with a reason', async () => {
    const { request } = await createTestTenant(stack);
    const contact = await newContact(request);
    const bare = await newInvoice(request, contact.id);
    expect((await request('POST', `/v1/invoices/${bare.id}/void`)).body).toMatchObject({ status: 'void' });
    const reasoned = await newInvoice(request, contact.id);
    expect((await request('POST', `/v1/invoices/${reasoned.id}/void`, { reason: 'Issued to the wrong contact' })).body).toMatchObject({ status: 'void' });
  });
});

describe('rate limits', () => {
  test('a tenant over its budget gets 429 rate_limited with Retry-After; another tenant is not affected', async () => {
    const app = await buildApp({ ...stack.process, redis: stack.redis, config: { ...stack.process.config, RATE_LIMIT_PER_MINUTE: 3 } });
    try {
      const { apiKey } = await createTestTenant(stack);
      const other = await createTestTenant(stack);
      const get = (key: string) => app.inject({ method: 'GET', url: '/v1/contacts', headers: { authorization: `Bearer ${key}` } });
      let limited;
      for (let i = 0; i < 10 && !limited; i++) {
        const res = await get(apiKey);
        if (res.statusCode === 429) limited = res;
        else expect(res.statusCode).toBe(200);
      }
      expect(limited).toBeDefined();
      const retryAfter = Number(limited!.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expectError({ status: limited!.statusCode, body: limited!.json() }, 429, 'rate_limited');
      expect((await get(other.apiKey)).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  test('the Stripe webhook is limited per client IP', async () => {
    const app = await buildApp({ ...stack.process, redis: stack.redis, config: { ...stack.process.config, WEBHOOK_RATE_LIMIT_PER_MINUTE: 2 } });
    try {
      // An address of its own, so no other test's webhooks share the count.
      const remoteAddress = `127.0.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
      const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' });
      const headers = { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_x' }) };
      const statuses: number[] = [];
      for (let i = 0; i < 8 && !statuses.includes(429); i++) {
        statuses.push((await app.inject({ method: 'POST', url: '/v1/webhooks/stripe/0190f0f0-0000-7000-8000-000000000000', payload: body, headers, remoteAddress })).statusCode);
      }
      expect(statuses).toContain(429);
      expect(new Set(statuses.filter((s) => s !== 429))).toEqual(new Set([404]));
    } finally {
      await app.close();
    }
  });
});
