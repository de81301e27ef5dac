import { useTestStack } from '../support/stack';

const stack = useTestStack({ worker: false });

test('GET /healthz is 200 without auth', async () => {
  const res = await stack.app.inject({ method: 'GET', url: '/healthz' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: 'ok' });
});

test('GET /readyz is 200 with every check ok', async () => {
  const res = await stack.app.inject({ method: 'GET', url: '/readyz' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', temporal: 'ok' }, invoicesNeedingAttention: expect.any(Number) });
});

test('GET /docs/json is an OpenAPI document with the Payment Center paths', async () => {
  const res = await stack.app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  const doc = res.json();
  expect(doc.openapi).toMatch(/^3\./);
  for (const path of ['/v1/invoices', '/v1/invoices/{id}', '/v1/invoices/{id}/payments', '/v1/invoices/{id}/void', '/v1/payments', '/v1/payments/{id}', '/v1/payment-plans', '/v1/contacts', '/v1/deals']) {
    expect(Object.keys(doc.paths)).toContain(path);
  }
  expect(doc.paths['/v1/invoices'].post).toBeDefined();
  expect(doc.paths['/healthz']).toBeUndefined();
});

test('GET /docs serves the HTML UI', async () => {
  let res = await stack.app.inject({ method: 'GET', url: '/docs' });
  if (res.statusCode >= 300 && res.statusCode < 400) res = await stack.app.inject({ method: 'GET', url: String(res.headers.location) });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.body).toMatch(/<html/i);
});
