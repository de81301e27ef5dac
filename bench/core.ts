/**
 * Core bench: the API's invoice creation and payment paths against bare Temporal calls on the same
 * dev server. Builds its own in-process stack (ORM on DATABASE_URL, Redis, Temporal client, a real
 * worker on a unique task queue, the Fastify app) plus a second worker for bench/raw-workflows.ts.
 * Requests go through `app.inject` (full Fastify pipeline, no sockets).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { createOrm } from '../db/orm';
import { scopeOf } from '../services/context';
import { createTenant } from '../services/tenants';
import { invoiceWorkflowId, SearchAttr } from '../workflows/definitions';
import { createWorker, workflowBundleOptions } from '../worker/create-worker';
import { markSignal, pingUpdate, rawBenchWorkflow, seenQuery } from './raw-workflows';
import { pool } from './pool';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'core';

// Sizes and time budgets (the whole section stays well under ~90 s on 2 cores).
const CREATE_COUNT = 200;
const CREATE_CONCURRENCY = 16;
/** Raw and API creation alternate in this many rounds (so load swings on a shared box hit both). */
const CREATE_ROUNDS = 4;
const CREATE_BUDGET_MS = 16_000;
/** Iterations of (API payment, raw update, raw signal), interleaved for the same reason. */
const PAY_COUNT = 200;
const PAY_INVOICES = 4;
const PAY_BUDGET_MS = 20_000;
const WARMUP = 10;
const PARALLEL_PAYMENTS = 60;
const PARALLEL_AMOUNT = 100;
const PARALLEL_TOTAL = 5000;

// ---- helpers ---------------------------------------------------------------------------------

/** Nearest-rank percentile. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** SDK warnings and errors go to stderr, minus the expected one about the raw worker having no activities. */
const benchLogger = () =>
  new DefaultLogger('WARN', ({ level, message, meta }) => {
    if (message.startsWith('No activities registered')) return;
    process.stderr.write(`[temporal ${level}] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`);
  });

function quietRuntime(): void {
  try {
    Runtime.install({ logger: benchLogger() });
  } catch {
    /* a runtime already exists (another section installed it): keep it */
  }
}

// ---- stack -----------------------------------------------------------------------------------

export interface Stack {
  app: FastifyInstance;
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  rawTaskQueue: string;
  request: (method: 'GET' | 'POST', url: string, body?: unknown) => Promise<{ status: number; body: any }>;
  contactId: string;
  close(): Promise<void>;
}

export async function buildStack(): Promise<Stack> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set; run the bench with npm run bench');
  if (/\/payment_center(\?|$)/.test(databaseUrl)) throw new Error('refusing to bench the main payment_center database; run npm run bench');
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  quietRuntime();

  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    // reverse order of creation; keep going on errors
    for (const c of closers.reverse()) await c().catch((err) => console.error(`[bench:${SECTION}] close:`, (err as Error).message));
  };
  try {
    const logger = benchLogger();
    const bundles = Promise.all([
      bundleWorkflowCode({ ...workflowBundleOptions, logger }),
      bundleWorkflowCode({ workflowsPath: require.resolve('./raw-workflows'), logger }),
    ]);
    const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 20 } });
    closers.push(() => orm.close());
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:56379', { maxRetriesPerRequest: null });
    closers.push(() => redis.quit());
    const connection = await Connection.connect({ address });
    closers.push(() => connection.close());
    const nativeConnection = await NativeConnection.connect({ address });
    closers.push(() => nativeConnection.close());
    const client = new Client({ connection, namespace });

    const runId = randomUUID();
    const taskQueue = `bench-core-${runId}`;
    const rawTaskQueue = `bench-raw-${runId}`;
    const [appBundle, rawBundle] = await bundles;
    const processDeps = { orm, temporal: client, config: { TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: randomBytes(32).toString('hex') } };
    const worker = await createWorker({ connection: nativeConnection, namespace, taskQueue, orm, workflowBundle: appBundle, process: processDeps });
    const rawWorker = await Worker.create({ connection: nativeConnection, namespace, taskQueue: rawTaskQueue, workflowBundle: rawBundle });
    for (const w of [worker, rawWorker]) {
      const running = w.run();
      closers.push(async () => {
        if (w.getState() === 'RUNNING') w.shutdown();
        await running;
      });
    }

    const app = await buildApp({ ...processDeps, redis });
    closers.push(() => app.close());
    await app.ready();

    const { apiKey } = await createTenant(scopeOf(processDeps), { name: `bench-${new Date().toISOString()}`, plan: 'professional', timeZone: 'UTC' });
    const request = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
      const res = await app.inject({ method, url, payload: body as never, headers: { authorization: `Bearer ${apiKey}` } });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    };
    const contact = await request('POST', '/v1/contacts', { name: 'Bench Contact', email: 'bench@example.com', company: 'Bench Inc' });
    if (contact.status !== 201) throw new Error(`contact: ${contact.status} ${JSON.stringify(contact.body)}`);

    return { app, orm, client, taskQueue, rawTaskQueue, request, contactId: contact.body.id, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function createInvoice(stack: Stack, total: number): Promise<{ id: string; paid: number }> {
  const res = await stack.request('POST', '/v1/invoices', {
    contactId: stack.contactId,
    currency: 'USD',
    issueDate: '2026-01-01',
    dueDate: '2099-12-31',
    lineItems: [{ description: 'Bench', quantity: 1, unitAmount: total }],
  });
  if (res.status !== 201) throw new Error(`create invoice: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, paid: res.body.paid };
}

// ---- a. creation throughput -------------------------------------------------------------------

async function creationThroughput(stack: Stack, created: string[], rawIds: string[]): Promise<BenchRow[]> {
  const rawStart = (id: string) =>
    stack.client.workflow.start(rawBenchWorkflow, {
      taskQueue: stack.rawTaskQueue,
      workflowId: id,
      workflowIdConflictPolicy: 'USE_EXISTING',
      // the same four search attributes the API sets on an invoice workflow
      typedSearchAttributes: [
        { key: SearchAttr.tenantId, value: 'bench' },
        { key: SearchAttr.invoiceNumber, value: id },
        { key: SearchAttr.status, value: 'open' },
        { key: SearchAttr.contactId, value: 'bench' },
      ],
    });
  const prefix = `bench-raw-start-${randomUUID()}`;
  const apiCreate = async () => created.push((await createInvoice(stack, 10_000)).id);

  // warm-up (not measured): JIT, pools, first workflow tasks
  await pool(WARMUP, 4, CREATE_BUDGET_MS, async (i) => {
    rawIds.push(`${prefix}-w${i}`);
    await rawStart(`${prefix}-w${i}`);
    await apiCreate();
  });

  const perRound = Math.ceil(CREATE_COUNT / CREATE_ROUNDS);
  const raw = { done: 0, ms: 0 };
  const api = { done: 0, ms: 0 };
  const latencies: number[] = [];
  const phaseStart = performance.now();
  // each round may run past the phase budget by at most 2 s per side, so both sides get samples
  const remaining = () => Math.max(2_000, CREATE_BUDGET_MS - (performance.now() - phaseStart));
  let rawSeq = 0;
  const rawRound = async () => {
    const r = await pool(perRound, CREATE_CONCURRENCY, remaining(), async () => {
      const id = `${prefix}-${rawSeq++}`;
      rawIds.push(id);
      await rawStart(id);
    });
    raw.done += r.done;
    raw.ms += r.ms;
  };
  const apiRound = async () => {
    const r = await pool(perRound, CREATE_CONCURRENCY, remaining(), async () => {
      const t = performance.now();
      await apiCreate();
      latencies.push(performance.now() - t);
    });
    api.done += r.done;
    api.ms += r.ms;
  };
  for (let round = 0; round < CREATE_ROUNDS && performance.now() - phaseStart < CREATE_BUDGET_MS; round++) {
    // raw, api, api, raw, raw, api, ...
    if (round % 2 === 0) {
      await rawRound();
      await apiRound();
    } else {
      await apiRound();
      await rawRound();
    }
  }
  const apiRate = (api.done / api.ms) * 1000;
  const rawRate = (raw.done / raw.ms) * 1000;
  return [
    {
      section: SECTION,
      metric: 'a. invoice creation POST /v1/invoices',
      value: round(apiRate, 1),
      unit: 'inv/s',
      reference: { label: 'raw workflow.start (4 search attrs)', value: round(rawRate, 1) },
      ratio: round(apiRate / rawRate, 3),
      note: `API/raw (higher is better); ${api.done} API @c${CREATE_CONCURRENCY} in ${Math.round(api.ms)} ms, ${raw.done} raw in ${Math.round(raw.ms)} ms, alternating rounds of ${perRound}${api.done < CREATE_COUNT ? ` (time budget ${CREATE_BUDGET_MS / 1000} s hit before ${CREATE_COUNT})` : ''}; API p50 ${round(percentile(latencies, 50), 1)} ms p99 ${round(percentile(latencies, 99), 1)} ms; app.inject`,
    },
  ];
}

// ---- b. payment → visible balance latency -----------------------------------------------------

async function paymentLatency(stack: Stack, created: string[], rawIds: string[]): Promise<BenchRow[]> {
  // API: sequential POST payment + GET invoice until the new paid is visible.
  const invoices: Array<{ id: string; paid: number }> = [];
  for (let i = 0; i < PAY_INVOICES; i++) invoices.push(await createInvoice(stack, 1_000_000));
  created.push(...invoices.map((i) => i.id));
  const expected = new Map(invoices.map((i) => [i.id, i.paid]));
  let notVisibleAtOnce = 0;
  let postOnly: number[] = [];
  const pay = async (n: number): Promise<number> => {
    const id = invoices[n % invoices.length].id;
    const amount = 100 + (n % 7);
    const t = performance.now();
    const res = await stack.request('POST', `/v1/invoices/${id}/payments`, { amount, method: 'cash', reference: `bench-${n}` });
    const tPost = performance.now();
    if (res.status !== 201) throw new Error(`payment: ${res.status} ${JSON.stringify(res.body)}`);
    const want = expected.get(id)! + amount;
    expected.set(id, want);
    for (let attempt = 0; ; attempt++) {
      const got = await stack.request('GET', `/v1/invoices/${id}`);
      if (got.status !== 200) throw new Error(`get invoice: ${got.status} ${JSON.stringify(got.body)}`);
      if (got.body.paid === want) break;
      if (attempt === 0) notVisibleAtOnce++;
      if (performance.now() - t > 10_000) throw new Error(`payment ${n}: paid ${got.body.paid} never reached ${want} within 10 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    postOnly.push(tPost - t);
    return performance.now() - t;
  };
  // Raw: one trivial workflow for Updates, one for signal + query.
  const prefix = `bench-raw-rtt-${randomUUID()}`;
  const updHandle = await stack.client.workflow.start(rawBenchWorkflow, { taskQueue: stack.rawTaskQueue, workflowId: `${prefix}-update` });
  const sigHandle = await stack.client.workflow.start(rawBenchWorkflow, { taskQueue: stack.rawTaskQueue, workflowId: `${prefix}-signal` });
  rawIds.push(updHandle.workflowId, sigHandle.workflowId);
  const update = async (n: number) => {
    const t = performance.now();
    const got = await updHandle.executeUpdate(pingUpdate, { args: [n] });
    if (got !== n) throw new Error(`raw update returned ${got}, expected ${n}`);
    return performance.now() - t;
  };
  let queriesPerSignal = 0;
  const signal = async (n: number) => {
    const t = performance.now();
    await sigHandle.signal(markSignal, n);
    for (;;) {
      queriesPerSignal++;
      if ((await sigHandle.query(seenQuery)) === n) break;
      if (performance.now() - t > 10_000) throw new Error(`raw signal ${n} not seen within 10 s`);
    }
    return performance.now() - t;
  };
  // warm-up (not measured)
  for (let i = 0; i < WARMUP; i++) {
    await pay(i);
    await update(i + 1);
    await signal(i + 1);
  }
  notVisibleAtOnce = 0;
  postOnly = [];
  queriesPerSignal = 0;
  // measured: one API payment, one raw Update, one raw signal per iteration
  const api: number[] = [];
  const upd: number[] = [];
  const sig: number[] = [];
  await pool(PAY_COUNT, 1, PAY_BUDGET_MS, async (i) => {
    api.push(await pay(WARMUP + i));
    upd.push(await update(WARMUP + 1 + i));
    sig.push(await signal(WARMUP + 1 + i));
  });

  const rows: BenchRow[] = [];
  const apiNote = `${api.length} sequential payments over ${PAY_INVOICES} invoices, interleaved with the raw calls${api.length < PAY_COUNT ? ` (time budget ${PAY_BUDGET_MS / 1000} s hit before ${PAY_COUNT})` : ''}; POST p50 ${round(percentile(postOnly, 50), 1)} ms; paid not visible on first GET: ${notVisibleAtOnce}`;
  for (const p of [50, 99]) {
    const v = percentile(api, p);
    const u = percentile(upd, p);
    const s = percentile(sig, p);
    rows.push({
      section: SECTION,
      metric: `b. payment POST+visible p${p}`,
      value: round(v),
      unit: 'ms',
      reference: { label: `raw executeUpdate p${p}`, value: round(u) },
      ratio: round(v / u),
      note: `API/raw (lower is better); ${p === 50 ? apiNote : `${upd.length} raw updates`}`,
    });
    rows.push({
      section: SECTION,
      metric: `b. payment POST+visible p${p}`,
      value: round(v),
      unit: 'ms',
      reference: { label: `raw signal+query p${p}`, value: round(s) },
      ratio: round(v / s),
      note: `API/raw (lower is better); ${sig.length} raw signals, ${round(queriesPerSignal / Math.max(1, sig.length))} queries/signal`,
    });
  }
  return rows;
}

// ---- c. concurrent payments -------------------------------------------------------------------

async function concurrentPayments(stack: Stack, created: string[]): Promise<{ rows: BenchRow[]; failure?: string }> {
  const invoice = await createInvoice(stack, PARALLEL_TOTAL);
  created.push(invoice.id);
  const t = performance.now();
  const acceptedAt: number[] = [];
  const rejectedAt: number[] = [];
  const results = await Promise.all(
    Array.from({ length: PARALLEL_PAYMENTS }, async (_, i) => {
      const res = await stack.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: PARALLEL_AMOUNT, method: 'cash', reference: `bench-par-${i}` });
      (res.status === 201 ? acceptedAt : rejectedAt).push(performance.now() - t);
      return res;
    }),
  );
  const ms = performance.now() - t;
  const accepted = results.filter((r) => r.status === 201).length;
  const rejected = new Map<string, number>();
  for (const r of results.filter((x) => x.status !== 201)) {
    const k = `${r.status} ${r.body?.error?.code ?? '?'}`;
    rejected.set(k, (rejected.get(k) ?? 0) + 1);
  }
  const after = await stack.request('GET', `/v1/invoices/${invoice.id}`);
  const expectedAccepted = PARALLEL_TOTAL / PARALLEL_AMOUNT;
  const ok = accepted === expectedAccepted && after.body?.paid === PARALLEL_TOTAL && after.body?.status === 'paid';
  const rejectedText = [...rejected].map(([k, n]) => `${n}x ${k}`).join(', ') || 'none';
  const state = `invoice paid ${after.body?.paid}/${PARALLEL_TOTAL} status ${after.body?.status}`;
  return {
    rows: [
      {
        section: SECTION,
        metric: `c. ${PARALLEL_PAYMENTS} parallel payments wall`,
        value: round(ms, 1),
        unit: 'ms',
        note: `${PARALLEL_PAYMENTS}x${PARALLEL_AMOUNT} on a ${PARALLEL_TOTAL} invoice, all at once; 201s answered from ${round(percentile(acceptedAt, 0), 0)} to ${round(percentile(acceptedAt, 100), 0)} ms (p50 ${round(percentile(acceptedAt, 50), 0)}), others from ${round(percentile(rejectedAt, 0), 0)} to ${round(percentile(rejectedAt, 100), 0)} ms`,
      },
      {
        section: SECTION,
        metric: `c. parallel payments accepted`,
        value: accepted,
        unit: 'count',
        note: `${ok ? 'OK' : `FAIL (expected ${expectedAccepted})`}; rejected: ${rejectedText}; ${state}`,
      },
    ],
    ...(ok ? {} : { failure: `concurrent payments: accepted ${accepted} (expected ${expectedAccepted}); ${state}` }),
  };
}

// ---- cleanup ----------------------------------------------------------------------------------

/**
 * Terminates every workflow the bench started: the raw ones and the bench invoices' workflows (one
 * RPC each; voiding through the API would cost an Update + a Postgres write per invoice). The
 * invoice rows stay in the bench database as they were.
 */
async function cleanup(stack: Stack, created: string[], rawIds: string[]): Promise<string> {
  const ids = [...created.map(invoiceWorkflowId), ...rawIds];
  let terminated = 0;
  let closed = 0;
  const failed: string[] = [];
  await pool(ids.length, 32, 30_000, async (i) => {
    try {
      await stack.client.workflow.getHandle(ids[i]).terminate('bench cleanup');
      terminated++;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) closed++; // already closed
      else failed.push(`${ids[i]}: ${(err as Error).message}`);
    }
  });
  const left = ids.length - terminated - closed - failed.length;
  return `cleanup: ${terminated}/${ids.length} workflows terminated (${created.length} invoices, ${rawIds.length} raw)${closed ? `, ${closed} already closed` : ''}${failed.length ? `, ${failed.length} FAILED (${failed[0]})` : ''}${left ? `, ${left} not reached (time budget)` : ''}`;
}

// ---- section ----------------------------------------------------------------------------------

export const run: BenchSection = async () => {
  const t0 = performance.now();
  const stack = await buildStack();
  const setupMs = performance.now() - t0;
  const rows: BenchRow[] = [];
  const created: string[] = [];
  const rawIds: string[] = [];
  let failure: string | undefined;
  const phases: string[] = [`setup ${round(setupMs / 1000, 1)}`];
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      phases.push(`${name} ${round((performance.now() - t) / 1000, 1)}`);
    }
  };
  try {
    rows.push(...(await phase('a', () => creationThroughput(stack, created, rawIds))));
    rows.push(...(await phase('b', () => paymentLatency(stack, created, rawIds))));
    const c = await phase('c', () => concurrentPayments(stack, created));
    rows.push(...c.rows);
    failure = c.failure;
  } catch (err) {
    failure = (err as Error).stack ?? String(err);
  } finally {
    let cleanupNote: string;
    try {
      cleanupNote = await phase('cleanup', () => cleanup(stack, created, rawIds));
    } catch (err) {
      cleanupNote = `cleanup FAILED: ${(err as Error).message}`;
    }
    await phase('close', () => stack.close());
    rows.push({
      section: SECTION,
      metric: 'section wall time',
      value: round((performance.now() - t0) / 1000, 1),
      unit: 's',
      note: `phases (s): ${phases.join(', ')}; ${cleanupNote}`,
    });
  }
  if (failure) throw Object.assign(new Error(failure), { rows });
  return rows;
};
