/**
 * Stripe webhook ingestion through the real app (app.inject): signature verification, dedupe insert
 * in Postgres and the hand-off signal to each invoice workflow, for distinct invoices/PaymentIntents.
 * References: a bare POST route on the same Fastify server with the same JSON body, and raw Temporal
 * signals to the same workflows on the same server (the hand-off's own floor). As in production, no
 * worker runs in the API process: the webhook's job ends when Temporal has the signal.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import Stripe from 'stripe';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { createOrm } from '../db/orm';
import { Contact } from '../db';
import { createInvoice } from '../services/invoices';
import { createTenant } from '../services/tenants';
import { putStripeSettings } from '../services/stripe-settings';
import { scopeOf, type ProcessDeps, type TenantContext } from '../services/context';
import { invoiceWorkflowId } from '../workflows/definitions';
import { pool, poolOver } from './pool';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'webhooks';
const INVOICES = 300;
const CONCURRENCY = 16;
const TIME_BUDGET_MS = 4_000;

export const run: BenchSection = async () => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set; run the bench with npm run bench');
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    /* already installed */
  }
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 20 } });
    closers.push(() => orm.close());
    const connection = await Connection.connect({ address });
    closers.push(() => connection.close());
    const temporal = new Client({ connection, namespace: 'default' });
    const taskQueue = `bench-webhooks-${randomUUID()}`;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:56379', { lazyConnect: true, maxRetriesPerRequest: null });
    closers.push(async () => redis.disconnect());

    const processDeps: ProcessDeps = {
      orm,
      temporal,
      config: { TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    };
    const app = await buildApp({ ...processDeps, redis });
    app.post('/bench/bare', async () => ({ received: true }));
    await app.ready();
    closers.push(() => app.close());

    const { tenantId } = await createTenant(scopeOf(processDeps), { name: 'bench-webhooks', plan: 'professional' });
    const tenant: TenantContext = { id: tenantId, plan: 'professional', timeZone: 'UTC', defaultCurrency: 'USD' };
    const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
    await putStripeSettings(scopeOf(processDeps), tenant, { secretKey: `sk_test_${randomBytes(16).toString('hex')}`, webhookSecret });
    const em = orm.em.fork();
    const contact = em.create(Contact, { id: randomUUID(), tenant: tenantId, name: 'Bench', createdAt: new Date(), updatedAt: new Date() });
    await em.flush();

    const invoiceIds: string[] = [];
    // The bench's invoice workflows never get a worker here: terminate them when done.
    closers.push(async () => {
      await poolOver(invoiceIds, CONCURRENCY, Infinity, async (id) => {
        await temporal.workflow.getHandle(invoiceWorkflowId(id)).terminate('bench cleanup').catch(() => undefined);
      });
    });
    await pool(INVOICES, 16, Infinity, async () => {
      const { invoice } = await createInvoice(scopeOf(processDeps), tenant, { contactId: contact.id, currency: 'USD', issueDate: '2026-11-01', dueDate: '2099-12-31', lineItems: [{ description: 'x', quantity: 1, unitAmount: 1000 }] });
      invoiceIds.push(invoice.id);
    });

    const bodies = invoiceIds.map((invoiceId) => {
      const pi = `pi_${randomUUID().replace(/-/g, '')}`;
      return JSON.stringify({
        id: `evt_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: pi, object: 'payment_intent', amount: 1000, amount_received: 1000, currency: 'usd', status: 'succeeded', metadata: { tenant_id: tenantId, invoice_id: invoiceId } } },
      });
    });
    const signed = (body: string) => ({ 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: webhookSecret }) });

    // Reference: the same bodies on a bare route of the same server.
    let t0 = performance.now();
    const { done: bareDone } = await poolOver(bodies, CONCURRENCY, TIME_BUDGET_MS, async (body) => {
      const res = await app.inject({ method: 'POST', url: '/bench/bare', payload: body, headers: signed(body) });
      if (res.statusCode !== 200) throw new Error(`bare route answered ${res.statusCode}`);
    });
    const bareRate = bareDone / ((performance.now() - t0) / 1000);

    t0 = performance.now();
    const { done } = await poolOver(bodies, CONCURRENCY, TIME_BUDGET_MS, async (body) => {
      const res = await app.inject({ method: 'POST', url: `/v1/webhooks/stripe/${tenantId}`, payload: body, headers: signed(body) });
      if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`);
    });
    const rate = done / ((performance.now() - t0) / 1000);

    // Redelivery of the same events: verification + dedupe lookup, no hand-off.
    const dupBodies = bodies.slice(0, done);
    t0 = performance.now();
    const { done: dupDone } = await poolOver(dupBodies, CONCURRENCY, TIME_BUDGET_MS, async (body) => {
      const res = await app.inject({ method: 'POST', url: `/v1/webhooks/stripe/${tenantId}`, payload: body, headers: signed(body) });
      if (res.statusCode !== 200 || !JSON.parse(res.body).duplicate) throw new Error(`duplicate answered ${res.statusCode}: ${res.body}`);
    });
    const dupRate = dupDone / ((performance.now() - t0) / 1000);

    // Reference: the hand-off alone, a raw signal to each of the same workflows on the same server.
    t0 = performance.now();
    const { done: signalled } = await poolOver(invoiceIds, CONCURRENCY, TIME_BUDGET_MS, async (id) => {
      await temporal.workflow.getHandle(invoiceWorkflowId(id)).signal('benchNoop');
    });
    const signalRate = signalled / ((performance.now() - t0) / 1000);

    const reference = { label: 'bare POST route, same server, same body (req/s)', value: Math.round(bareRate) };
    const rows: BenchRow[] = [
      {
        section: SECTION,
        metric: 'stripe webhook events/s (verify + persist + signal invoice workflow)',
        value: Math.round(rate),
        unit: 'events/s',
        reference,
        ratio: Number((rate / bareRate).toFixed(4)),
        note: `${done} distinct events for distinct invoices/PaymentIntents, concurrency ${CONCURRENCY}; ratio = webhook rate / bare rate`,
      },
      {
        section: SECTION,
        metric: 'stripe webhook events/s vs raw Temporal signals',
        value: Math.round(rate),
        unit: 'events/s',
        reference: { label: 'raw signal to the same workflows, same server (signals/s)', value: Math.round(signalRate) },
        ratio: Number((rate / signalRate).toFixed(3)),
        note: `${signalled} raw signals at concurrency ${CONCURRENCY}; ratio = webhook rate / raw signal rate`,
      },
      {
        section: SECTION,
        metric: 'duplicate deliveries/s (verify + dedupe, no hand-off)',
        value: Math.round(dupRate),
        unit: 'events/s',
        reference,
        ratio: Number((dupRate / bareRate).toFixed(4)),
        note: `${dupDone} redeliveries of already-processed events; ratio = duplicate rate / bare rate`,
      },
    ];
    return rows;
  } finally {
    for (const c of closers.reverse()) await c().catch((err) => console.error(`[bench:${SECTION}] close:`, (err as Error).message));
  }
};

if (require.main === module) {
  run().then(
    (rows) => console.log(JSON.stringify(rows, null, 2)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
