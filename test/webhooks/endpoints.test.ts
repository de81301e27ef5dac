/** Webhook endpoints through the API: the secret shown once and stored sealed, enable/disable, the SSRF rule. */
import { expectError, UUID, ISO_DATETIME } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';
import { fastWebhooks } from '../support/webhooks';

const stack = useTestStack({ worker: false });
beforeAll(() => fastWebhooks(stack));

const patch = async (apiKey: string, url: string, body: unknown) => {
  const res = await stack.app.inject({ method: 'PATCH', url, payload: body as never, headers: { authorization: `Bearer ${apiKey}` } });
  return { status: res.statusCode, body: res.json() };
};

test('create shows the whsec_ secret once; get, list, patch enabled, delete', async () => {
  const { request, apiKey } = await createTestTenant(stack);
  const created = await request('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks', eventTypes: ['invoice.paid', 'invoice.overdue'], description: 'CRM' });
  expect(created.status).toBe(201);
  expect(created.body).toEqual({
    id: expect.stringMatching(UUID),
    url: 'http://127.0.0.1:9/hooks',
    description: 'CRM',
    eventTypes: ['invoice.paid', 'invoice.overdue'],
    enabled: true,
    secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{32}$/),
    secretLast4: created.body.secret.slice(-4),
    createdAt: expect.stringMatching(ISO_DATETIME),
    updatedAt: expect.stringMatching(ISO_DATETIME),
  });
  const { secret, ...shown } = created.body;
  // Sealed at rest: the row holds neither the secret nor its base64url body.
  const [row] = await stack.orm.em.getConnection().execute(`select secret_enc from webhook_endpoints where id = ?`, [created.body.id]);
  expect(row.secret_enc).toMatch(/^v1\./);
  expect(row.secret_enc).not.toContain(secret.slice(6));

  const got = await request('GET', `/v1/webhook-endpoints/${created.body.id}`);
  expect(got).toMatchObject({ status: 200, body: shown });
  expect(got.body.secret).toBeUndefined();
  const list = await request('GET', '/v1/webhook-endpoints');
  expect(list.body).toEqual({ data: [shown], nextCursor: null });

  const disabled = await patch(apiKey, `/v1/webhook-endpoints/${created.body.id}`, { enabled: false });
  expect(disabled).toMatchObject({ status: 200, body: { enabled: false, eventTypes: ['invoice.paid', 'invoice.overdue'] } });
  const changed = await patch(apiKey, `/v1/webhook-endpoints/${created.body.id}`, { enabled: true, eventTypes: ['payment.created'] });
  expect(changed.body).toMatchObject({ enabled: true, eventTypes: ['payment.created'] });

  expect((await request('DELETE', `/v1/webhook-endpoints/${created.body.id}`)).status).toBe(204);
  expectError(await request('GET', `/v1/webhook-endpoints/${created.body.id}`), 404, 'not_found');
  expectError(await request('DELETE', `/v1/webhook-endpoints/${created.body.id}`), 404, 'not_found');
  expectError(await request('GET', `/v1/webhook-endpoints/${created.body.id}/deliveries`), 404, 'not_found');
});

test('bad URLs and event types are 400; another tenant sees 404', async () => {
  const { request } = await createTestTenant(stack);
  expectError(await request('POST', '/v1/webhook-endpoints', { url: 'ftp://example.com/x', eventTypes: ['invoice.paid'] }), 400, 'invalid_url');
  expectError(await request('POST', '/v1/webhook-endpoints', { url: 'not a url', eventTypes: ['invoice.paid'] }), 400, 'invalid_url');
  expectError(await request('POST', '/v1/webhook-endpoints', { url: 'http://user:pw@127.0.0.1/x', eventTypes: ['invoice.paid'] }), 400, 'invalid_url');
  expectError(await request('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1/x', eventTypes: ['invoice.eaten'] }), 400, 'validation_failed');
  expectError(await request('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1/x', eventTypes: [] }), 400, 'validation_failed');
  const mine = await request('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/x', eventTypes: ['invoice.paid'] });
  const other = await createTestTenant(stack);
  expectError(await other.request('GET', `/v1/webhook-endpoints/${mine.body.id}`), 404, 'not_found');
  expect((await other.request('GET', '/v1/webhook-endpoints')).body).toEqual({ data: [], nextCursor: null });
});

test('without WEBHOOK_ALLOW_PRIVATE_URLS, loopback, private and link-local URLs are refused with 400 webhook_url_private', async () => {
  const config = stack.process.config as { WEBHOOK_ALLOW_PRIVATE_URLS?: boolean };
  config.WEBHOOK_ALLOW_PRIVATE_URLS = false;
  try {
    const { request, apiKey } = await createTestTenant(stack);
    for (const url of ['http://127.0.0.1:8080/hooks', 'http://localhost/hooks', 'http://[::1]/x', 'http://10.1.2.3/x', 'http://192.168.0.10/x', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0/x']) {
      const res = await request('POST', '/v1/webhook-endpoints', { url, eventTypes: ['invoice.paid'] });
      expectError(res, 400, 'webhook_url_private');
      expect(res.body.error.details).toMatchObject({ field: 'url', value: url });
    }
    expect((await request('GET', '/v1/webhook-endpoints')).body.data).toEqual([]);
    // Changing an endpoint's URL is held to the same rule.
    config.WEBHOOK_ALLOW_PRIVATE_URLS = true;
    const ok = await request('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/x', eventTypes: ['invoice.paid'] });
    expect(ok.status).toBe(201);
    config.WEBHOOK_ALLOW_PRIVATE_URLS = false;
    expect((await patch(apiKey, `/v1/webhook-endpoints/${ok.body.id}`, { url: 'http://127.0.0.2/x' })).body.error.code).toBe('webhook_url_private');
  } finally {
    config.WEBHOOK_ALLOW_PRIVATE_URLS = true;
  }
});
