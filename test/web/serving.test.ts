/** The API process serves the screens: the app's page for every /app route, the pay page, assets, and a 503 without a build. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { registerWeb } from '../../api/web';
import { useTestStack } from '../support/stack';

const stack = useTestStack({ worker: false });

test('every /app route answers the app page, with a content security policy; assets are served, missing ones are 404', async () => {
  for (const url of ['/app', '/app/', '/app/payments', '/app/invoices/0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b']) {
    const res = await stack.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<div id="root">');
  }
  const page = (await stack.app.inject({ method: 'GET', url: '/app' })).body;
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)![1];
  const asset = await stack.app.inject({ method: 'GET', url: script });
  expect(asset.statusCode).toBe(200);
  expect(asset.headers['cache-control']).toContain('immutable');
  const missing = await stack.app.inject({ method: 'GET', url: '/assets/nothing-here.js' });
  expect(missing.statusCode).toBe(404);
  expect(missing.json().error.code).toBe('route_not_found');
});

test('the app learns where Temporal UI is from /app/config.json', async () => {
  const res = await stack.app.inject({ method: 'GET', url: '/app/config.json' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ temporalUiUrl: null, temporalNamespace: 'default' });
});

test('without a build the API still runs and the pages answer 503 web_not_built', async () => {
  const app = Fastify();
  await registerWeb(app, { config: {}, counter: stack.redis, dist: mkdtempSync(path.join(tmpdir(), 'no-web-')) });
  const res = await app.inject({ method: 'GET', url: '/app/payments' });
  expect(res.statusCode).toBe(503);
  expect(res.json().error.code).toBe('web_not_built');
  await app.close();
});

test('pay pages are counted per client IP: past the budget the answer is 429 with Retry-After', async () => {
  const app = Fastify();
  await registerWeb(app, { config: { PUBLIC_RATE_LIMIT_PER_MINUTE: 3 }, counter: stack.redis });
  // The counter is shared in Redis with every other test's pay-page requests: within 4 requests the budget of 3 is spent.
  let limited;
  for (let i = 0; i < 4 && !limited; i++) {
    const res = await app.inject({ method: 'GET', url: `/i/${'t'.repeat(43)}` });
    if (res.statusCode === 429) limited = res;
  }
  expect(limited?.statusCode).toBe(429);
  expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
  await app.close();
});
