/**
 * Reminder settings and the reminders list through the HTTP API, and Bull Board behind the admin
 * token — full Fastify pipeline, real Postgres, Redis and Temporal dev server.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { createReminderActivities } from '../../activities/reminders';
import { createReminderQueue, producerConnection } from '../../lib/queues';
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';
import { REDIS_URL } from '../support/reminders';

const stack = useTestStack({ worker: false });
const producer = producerConnection(REDIS_URL);
const naming = { name: `reminders-api-${randomUUID()}` };
const queue = createReminderQueue(producer, naming);

afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  producer.disconnect();
});

describe('GET/PUT /v1/settings/reminders', () => {
  test('defaults, update, validation errors, tenant isolation', async () => {
    const { request } = await createTestTenant(stack);
    const other = await createTestTenant(stack);
    const defaults = { installments: { enabled: true, offsets: [-3, 0] }, dunning: { enabled: true, offsets: [1, 7, 14] }, sendAtMinutes: 540 };
    expect(await request('GET', '/v1/settings/reminders')).toMatchObject({ status: 200, body: defaults });

    const put = await request('PUT', '/v1/settings/reminders', { installments: { enabled: true, offsets: [0, -7] }, dunning: { enabled: false, offsets: [3] }, sendAtMinutes: 600 });
    expect(put).toMatchObject({ status: 200, body: { installments: { enabled: true, offsets: [-7, 0] }, dunning: { enabled: false, offsets: [3] }, sendAtMinutes: 600 } });
    expect((await request('GET', '/v1/settings/reminders')).body).toEqual(put.body);
    expect((await other.request('GET', '/v1/settings/reminders')).body).toEqual(defaults);

    const dup = await request('PUT', '/v1/settings/reminders', { installments: { enabled: true, offsets: [-3, -3] }, dunning: { enabled: true, offsets: [1] } });
    // The schema says offsets are unique (uniqueItems), so the request is refused before the policy rules run.
    expect(dup).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: { issues: [{ path: '/installments/offsets' }] } } } });
    const range = await request('PUT', '/v1/settings/reminders', { installments: { enabled: true, offsets: [-61] }, dunning: { enabled: true, offsets: [1] } });
    expect(range.status).toBe(400);
    expect(range.body.error).toMatchObject({ code: 'validation_failed' });
    const notInt = await request('PUT', '/v1/settings/reminders', { installments: { enabled: true, offsets: [1.5] }, dunning: { enabled: true, offsets: [0] } });
    expect(notInt.status).toBe(400);
    expect((await request('GET', '/v1/settings/reminders')).body).toEqual(put.body);
    expect((await stack.app.inject({ method: 'GET', url: '/v1/settings/reminders' })).statusCode).toBe(401);
  });
});

describe('GET /v1/reminders', () => {
  test('upcoming reminders with filters and keyset pagination', async () => {
    const { tenantId, request } = await createTestTenant(stack);
    const { invoice } = await createInvoiceViaApi(request, {
      total: 6000,
      issueDate: '2099-01-01',
      dueDate: '2099-03-01',
      paymentPlan: [
        { amount: 1000, date: '2099-01-20' },
        { amount: 2000, date: '2099-02-10' },
        { amount: 3000, date: '2099-03-01' },
      ],
    });
    await createInvoiceViaApi(request, { total: 100, issueDate: '2099-01-01', dueDate: '2099-01-05' });
    // Creation stored both schedules (this stack runs no worker: nothing else could have).
    const activities = createReminderActivities({ orm: stack.orm, reminderQueue: queue });
    await activities.skipReminders({ tenantId, invoiceId: invoice.id, keys: ['dun-p14'], reason: 'invoice_paid', now: Date.now() });

    const all = await request('GET', `/v1/reminders?invoiceId=${invoice.id}&limit=100`);
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(9);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.data[0]).toMatchObject({ invoice: { id: invoice.id, number: invoice.number }, kind: 'installment', offset: -3, date: '2099-01-17', status: 'scheduled', scheduledAt: '2099-01-17T09:00:00.000Z', sentAt: null });
    expect(all.body.data.at(-1)).toMatchObject({ key: 'dun-p14', kind: 'dunning', step: 3, status: 'skipped', skipReason: 'invoice_paid' });

    // Pages of 4 walk the tenant's reminders (both invoices) in time order without gaps or repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: { id: string; scheduledAt: string }[]; nextCursor: string | null } } = await request('GET', `/v1/reminders?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(14);
    expect(new Set(seen).size).toBe(14);
    const everything = (await request('GET', '/v1/reminders?limit=100')).body.data;
    expect(everything.map((r: { id: string }) => r.id)).toEqual(seen);
    expect([...everything].map((r: { scheduledAt: string }) => r.scheduledAt)).toEqual(everything.map((r: { scheduledAt: string }) => r.scheduledAt).sort());

    expect((await request('GET', '/v1/reminders?status=skipped&limit=100')).body.data.map((r: { key: string }) => r.key)).toEqual(['dun-p14']);
    expect((await request('GET', '/v1/reminders?status=sent')).body.data).toEqual([]);
    const february = (await request('GET', '/v1/reminders?dateFrom=2099-02-01&dateTo=2099-02-28&limit=100')).body.data;
    expect(february.map((r: { date: string }) => r.date)).toEqual(['2099-02-07', '2099-02-10', '2099-02-26']);

    expect(await request('GET', '/v1/reminders?status=nope')).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(await request('GET', '/v1/reminders?cursor=garbage')).toMatchObject({ status: 400, body: { error: { code: 'invalid_cursor' } } });
    expect(await request('GET', '/v1/reminders?dateFrom=2099-03-01&dateTo=2099-02-01')).toMatchObject({ status: 400, body: { error: { code: 'invalid_date_range' } } });
    // They are part of the invoice's history.
    const history = (await request('GET', `/v1/invoices/${invoice.id}`)).body.history.map((e: { type: string }) => e.type);
    expect(history.filter((t: string) => t === 'reminder_scheduled')).toHaveLength(9);
    expect(history.filter((t: string) => t === 'reminder_skipped')).toHaveLength(1);
    // Another tenant sees none of them.
    const other = await createTestTenant(stack);
    expect((await other.request('GET', '/v1/reminders')).body).toEqual({ data: [], nextCursor: null });
  });
});

test('a policy edit applies to invoices created afterwards', async () => {
  const { request } = await createTestTenant(stack, 'professional', 'Europe/Paris');
  const schedule = async (invoiceId: string) =>
    (await request('GET', `/v1/reminders?invoiceId=${invoiceId}&limit=100`)).body.data.map((r: { kind: string; date: string; scheduledAt: string }) => [r.kind, r.date, r.scheduledAt]);
  const { invoice: before } = await createInvoiceViaApi(request, { total: 100, issueDate: '2099-07-01', dueDate: '2099-07-10' });
  await request('PUT', '/v1/settings/reminders', { installments: { enabled: true, offsets: [-1] }, dunning: { enabled: false, offsets: [1] }, sendAtMinutes: 8 * 60 });
  const { invoice } = await createInvoiceViaApi(request, { total: 100, issueDate: '2099-07-01', dueDate: '2099-07-10' });
  // 08:00 in Paris (CEST, UTC+2) the day before the installment; no dunning.
  expect(await schedule(invoice.id)).toEqual([['installment', '2099-07-09', '2099-07-09T06:00:00.000Z']]);
  // The invoice created before the edit keeps the default schedule: 09:00 three days before and on the day, then dunning.
  expect(await schedule(before.id)).toEqual([
    ['installment', '2099-07-07', '2099-07-07T07:00:00.000Z'],
    ['installment', '2099-07-10', '2099-07-10T07:00:00.000Z'],
    ['dunning', '2099-07-11', '2099-07-11T07:00:00.000Z'],
    ['dunning', '2099-07-17', '2099-07-17T07:00:00.000Z'],
    ['dunning', '2099-07-24', '2099-07-24T07:00:00.000Z'],
  ]);
});

describe('Bull Board at /admin/queues', () => {
  const token = `admin-${randomUUID()}`;
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({ ...stack.process, redis: stack.redis, adminToken: token, reminderQueue: naming });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  test('needs the admin token, as bearer or basic-auth password; not the tenant API key', async () => {
    const get = (url: string, authorization?: string) => app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });
    const none = await get('/admin/queues');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic /);
    expect(JSON.parse(none.body)).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await get('/admin/queues', 'Bearer wrong-token-wrong-token')).statusCode).toBe(401);
    const { apiKey } = await createTestTenant(stack);
    expect((await get('/admin/queues', `Bearer ${apiKey}`)).statusCode).toBe(401);
    expect((await get('/admin/queues/api/queues', `Basic ${Buffer.from('ops:nope').toString('base64')}`)).statusCode).toBe(401);

    const page = await get('/admin/queues', `Bearer ${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/html/);
    const api = await get('/admin/queues/api/queues', `Basic ${Buffer.from(`ops:${token}`).toString('base64')}`);
    expect(api.statusCode).toBe(200);
    expect(JSON.parse(api.body).queues.map((q: { name: string }) => q.name)).toEqual([naming.name]);
  });

  test('not mounted without ADMIN_TOKEN', async () => {
    expect((await stack.app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(404);
  });
});
