import { createHash } from 'node:crypto';
import { useTestStack, createTestTenant } from '../support/stack';
import { countWhere, expectError, tenantCounts } from '../support/api';
import { createSignInLink } from '../../services/sessions';
import { listApiKeys, revokeApiKey } from '../../services/tenants';

const stack = useTestStack({ worker: false });

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const send = async (method: Method, url: string, opts: { cookie?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
  const res = await stack.app.inject({ method, url, payload: opts.body as never, headers: { ...(opts.cookie && { cookie: `pc_session=${opts.cookie}` }), ...opts.headers } });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, setCookie: [res.headers['set-cookie'] ?? []].flat() as string[] };
};
const CSRF = { 'x-requested-with': 'payment-center' };

/** Signs in with the key; returns the cookie value and the raw Set-Cookie header. */
async function signIn(apiKey: string) {
  const res = await send('POST', '/v1/session', { body: { apiKey } });
  expect(res.status).toBe(201);
  expect(res.setCookie).toHaveLength(1);
  const token = /^pc_session=([^;]+)/.exec(res.setCookie[0])![1];
  return { token, header: res.setCookie[0], body: res.body };
}

test('signing in with an API key sets an httpOnly SameSite=Lax cookie for 8 hours and shows the account', async () => {
  const t = await createTestTenant(stack, 'professional', 'Europe/Berlin');
  const { token, header, body } = await signIn(t.apiKey);
  const attributes = header.split(';').slice(1).map((a) => a.trim().toLowerCase());
  expect(attributes.sort()).toEqual(['httponly', 'max-age=28800', 'path=/', 'samesite=lax']);
  expect(body).toEqual({
    tenant: { id: t.tenantId, name: expect.stringMatching(/^tenant-/), plan: 'professional', timeZone: 'Europe/Berlin', defaultCurrency: 'USD' },
    expiresAt: expect.any(String),
  });
  const hours = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
  expect(hours).toBeGreaterThan(7.9);
  expect(hours).toBeLessThanOrEqual(8);
  // ≥ 256 bits of randomness; the database holds only its SHA-256
  expect(Buffer.from(token.replace(/^pcs_/, ''), 'base64url').length).toBeGreaterThanOrEqual(32);
  const hash = createHash('sha256').update(token).digest('hex');
  expect(await countWhere(stack, 'sessions', 'tenant_id = ? and token_hash = ?', [t.tenantId, hash])).toBe(1);
  expect(await countWhere(stack, 'sessions', 'token_hash = ? or id::text = ?', [token, token])).toBe(0);

  expect(await send('GET', '/v1/session', { cookie: token })).toMatchObject({ status: 200, body });
  expect(await send('GET', '/v1/invoices', { cookie: token })).toMatchObject({ status: 200, body: { data: [], nextCursor: null } });
});

test('the cookie is Secure when the public base URL is https', async () => {
  const t = await createTestTenant(stack);
  const config = stack.process.config;
  const before = config.PUBLIC_BASE_URL;
  config.PUBLIC_BASE_URL = 'https://pay.example.test';
  try {
    const { header } = await signIn(t.apiKey);
    expect(header.toLowerCase()).toContain('; secure');
  } finally {
    config.PUBLIC_BASE_URL = before;
  }
});

test('a wrong, revoked or missing key opens no session', async () => {
  const t = await createTestTenant(stack);
  for (const body of [{ apiKey: 'pc_not_a_key' }, { signInToken: 'pcl_not_a_link' }]) {
    const res = await send('POST', '/v1/session', { body });
    expectError(res, 401, 'unauthorized');
    expect(res.setCookie).toEqual([]);
  }
  expectError(await send('POST', '/v1/session', { body: {} }), 400, 'validation_failed');
  expectError(await send('POST', '/v1/session', { body: { apiKey: t.apiKey, extra: 1 } }), 400, 'validation_failed');
  expect(await countWhere(stack, 'sessions', 'tenant_id = ?', [t.tenantId])).toBe(0);
  expectError(await send('GET', '/v1/session'), 401, 'unauthorized');
  expectError(await send('GET', '/v1/invoices', { cookie: 'pcs_forged' }), 401, 'unauthorized');
});

test('a cookie-authenticated request that changes something needs the CSRF header; API keys do not', async () => {
  const t = await createTestTenant(stack);
  const { token } = await signIn(t.apiKey);
  const refused = await send('POST', '/v1/contacts', { cookie: token, body: { name: 'Mallory' } });
  expectError(refused, 403, 'csrf_required');
  expectError(await send('POST', '/v1/contacts', { cookie: token, body: { name: 'Mallory' }, headers: { 'x-requested-with': 'XMLHttpRequest' } }), 403, 'csrf_required');
  expect((await tenantCounts(stack, t.tenantId)).contacts).toBe(0);

  const created = await send('POST', '/v1/contacts', { cookie: token, body: { name: 'Ada' }, headers: CSRF });
  expect(created.status).toBe(201);
  // reads need no header; a Bearer key needs none either, cookie or not
  expect((await send('GET', `/v1/contacts/${created.body.id}`, { cookie: token })).status).toBe(200);
  expect((await send('POST', '/v1/contacts', { body: { name: 'Bea' }, headers: { authorization: `Bearer ${t.apiKey}` } })).status).toBe(201);
  expect((await send('POST', '/v1/contacts', { cookie: 'pcs_forged', body: { name: 'Cy' }, headers: { authorization: `Bearer ${t.apiKey}` } })).status).toBe(201);
  expect((await tenantCounts(stack, t.tenantId)).contacts).toBe(3);
});

test('an expired session is refused everywhere', async () => {
  const t = await createTestTenant(stack);
  const { token } = await signIn(t.apiKey);
  await stack.orm.em.getConnection().execute(`update sessions set expires_at = now() - interval '1 second' where tenant_id = ?`, [t.tenantId]);
  expectError(await send('GET', '/v1/invoices', { cookie: token }), 401, 'unauthorized');
  expectError(await send('GET', '/v1/session', { cookie: token }), 401, 'unauthorized');
});

test('signing out ends the session server-side and clears the cookie; it needs the CSRF header', async () => {
  const t = await createTestTenant(stack);
  const { token } = await signIn(t.apiKey);
  expectError(await send('DELETE', '/v1/session', { cookie: token }), 403, 'csrf_required');
  expect((await send('GET', '/v1/session', { cookie: token })).status).toBe(200);

  const out = await send('DELETE', '/v1/session', { cookie: token, headers: CSRF });
  expect(out.status).toBe(204);
  expect(out.setCookie).toHaveLength(1);
  expect(out.setCookie[0]).toMatch(/^pc_session=;/);
  expect(out.setCookie[0]).toMatch(/Expires=Thu, 01 Jan 1970/);
  // the old cookie value no longer works, even if a browser kept it
  expectError(await send('GET', '/v1/session', { cookie: token }), 401, 'unauthorized');
  expectError(await send('GET', '/v1/invoices', { cookie: token }), 401, 'unauthorized');
  expect(await countWhere(stack, 'sessions', 'tenant_id = ? and ended_at is not null', [t.tenantId])).toBe(1);
  // signing out again (or never signed in) is still 204
  expect((await send('DELETE', '/v1/session', { cookie: token, headers: CSRF })).status).toBe(204);
  expect((await send('DELETE', '/v1/session')).status).toBe(204);
});

test('revoking the key a session was opened with ends the session', async () => {
  const t = await createTestTenant(stack);
  const { token } = await signIn(t.apiKey);
  const [key] = await listApiKeys(stack.deps, t.tenantId);
  await revokeApiKey(stack.deps, key.id);
  expectError(await send('GET', '/v1/invoices', { cookie: token }), 401, 'unauthorized');
  expectError(await send('GET', '/v1/session', { cookie: token }), 401, 'unauthorized');
});

test('a Starter tenant can sign in and see its plan, but gets plan_required on data', async () => {
  const t = await createTestTenant(stack, 'starter');
  const { token, body } = await signIn(t.apiKey);
  expect(body.tenant.plan).toBe('starter');
  expect(await send('GET', '/v1/session', { cookie: token })).toMatchObject({ status: 200, body: { tenant: { plan: 'starter' } } });
  for (const url of ['/v1/invoices', '/v1/payments', '/v1/payment-plans', '/v1/contacts']) {
    const res = await send('GET', url, { cookie: token });
    expectError(res, 403, 'plan_required');
    expect(res.body.error.details).toMatchObject({ plan: 'starter', requiredPlans: ['professional', 'enterprise'] });
  }
  expectError(await send('POST', '/v1/contacts', { cookie: token, body: { name: 'x' }, headers: CSRF }), 403, 'plan_required');
});

test('a sign-in link opens one session, once, before it expires', async () => {
  const t = await createTestTenant(stack);
  const link = await createSignInLink(stack.deps, t.tenantId);
  expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/app\/sign-in#token=pcl_[A-Za-z0-9_-]{43}$/);
  const signInToken = link.url.split('#token=')[1];
  expect(await countWhere(stack, 'sign_in_links', 'token_hash = ?', [createHash('sha256').update(signInToken).digest('hex')])).toBe(1);

  const first = await send('POST', '/v1/session', { body: { signInToken } });
  expect(first.status).toBe(201);
  expect(first.body.tenant.id).toBe(t.tenantId);
  const token = /^pc_session=([^;]+)/.exec(first.setCookie[0])![1];
  expect((await send('GET', '/v1/invoices', { cookie: token })).status).toBe(200);
  expectError(await send('POST', '/v1/session', { body: { signInToken } }), 401, 'unauthorized');

  const stale = await createSignInLink(stack.deps, t.tenantId, new Date(Date.now() - 16 * 60_000));
  expectError(await send('POST', '/v1/session', { body: { signInToken: stale.url.split('#token=')[1] } }), 401, 'unauthorized');
});

test('two redemptions of one link at once open one session', async () => {
  const t = await createTestTenant(stack);
  const signInToken = (await createSignInLink(stack.deps, t.tenantId)).url.split('#token=')[1];
  const results = await Promise.all(Array.from({ length: 5 }, () => send('POST', '/v1/session', { body: { signInToken } })));
  expect(results.map((r) => r.status).sort()).toEqual([201, 401, 401, 401, 401]);
  expect(await countWhere(stack, 'sessions', 'tenant_id = ?', [t.tenantId])).toBe(1);
});
