/**
 * Live bench: many open invoice workflows on the dev server, run by the worker as `npm run stack`
 * runs it (`tsx worker/main.ts`, its own process, on a task queue of this run; bench/processes.ts).
 *
 * 1. BENCH_LIVE_INVOICES (20,000) invoices: rows inserted straight into Postgres, workflows started
 *    through services/invoice-workflow.ts startInvoiceWorkflow (the real input and search
 *    attributes createInvoice gives them). BENCH_LIVE_HERD (5,000) of them belong to one tenant and
 *    fall due at the same local midnight; the others are due months ahead (timers only).
 * 2. The worker at rest: RSS and CPU of its process tree from /proc, sampled each second for
 *    BENCH_LIVE_REST_S (60) s.
 * 3. The overdue herd: from the instant, when each herd invoice became overdue in Postgres (the
 *    activity's updated_at), against the same count of bench/live-workflows.ts benchSleepUntil
 *    timers to one later instant on the same server (their close times): the raw rate of
 *    timer-driven workflow tasks.
 *
 * BENCH_LIVE_NODE_OPTIONS goes to the worker process only (e.g. --cpu-prof).
 *
 * The instant is a real local midnight: the tenant's zone is the one whose midnight comes first
 * after the workflows can all be started and the worker measured at rest. When no zone has one within
 * BENCH_LIVE_MAX_WAIT_S (240) s of that, the herd tenant is in UTC and the instant is set in the
 * workflow input directly (overdueAt; the note says so).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createOrm } from '../db/orm';
import { Invoice, PlannedPayment, Tenant } from '../db';
import { dateIn, isoInstant, overdueInstant } from '../domain/dates';
import { scopeOf, type ServiceDeps } from '../services/context';
import { startInvoiceWorkflow, workflowInputFor } from '../services/invoice-workflow';
import { createTenant } from '../services/tenants';
import { invoiceWorkflowId, SearchAttr } from '../workflows/definitions';
import { pool } from './pool';
import { CLOCK_TICKS, nodeOptionsWith, processTree, RUNTIME, sectionTarget, startProcess, stopProcess, usage } from './processes';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'live';
const env = process.env;
const LIVE = Number(env.BENCH_LIVE_INVOICES ?? 20_000);
const HERD = Math.min(LIVE, Number(env.BENCH_LIVE_HERD ?? 5_000));
const REST_MS = Number(env.BENCH_LIVE_REST_S ?? 60) * 1000;
const START_CONCURRENCY = Number(env.BENCH_LIVE_CONCURRENCY ?? 32);
const MAX_WAIT_MS = Number(env.BENCH_LIVE_MAX_WAIT_S ?? 240) * 1000;
/** Between the herd's instant and the raw timers' (the herd drains alone first). */
const RAW_GAP_MS = Number(env.BENCH_LIVE_RAW_GAP_S ?? 60) * 1000;
/** Give up waiting for the overdue herd or the raw timers after this long. */
const DRAIN_TIMEOUT_MS = 600_000;
/** Give up waiting for the calm invoices' first workflow tasks after this long (about 10 min at 20,000 on the dev server). */
const FIRST_TASKS_TIMEOUT_MS = 1_500_000;
const CONTACTS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const log = (line: string) => console.error(`[bench:${SECTION}] ${line}`);

function nextMidnight(from: number): { zone: string; at: number } | null {
  let best: { zone: string; at: number } | null = null;
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const at = overdueInstant(dateIn(from, zone), zone);
    if (at >= from && at <= from + MAX_WAIT_MS && (!best || at < best.at)) best = { zone, at };
  }
  return best;
}

export const run: BenchSection = async () => {
  const { databaseUrl, address, namespace, runId, taskQueue, rawTaskQueue } = sectionTarget('live');
  const config = { TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: randomBytes(32).toString('hex') };

  const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 10 } });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const nativeConnection = await NativeConnection.connect({ address });
  const tenantIds: string[] = [];
  let worker: ChildProcess | undefined;
  let rawWorker: Worker | undefined;
  let rawRunning: Promise<void> | undefined;
  try {
    const rawBundle = bundleWorkflowCode({ workflowsPath: require.resolve('./live-workflows') });
    worker = await startProcess('worker/main.ts', { ...env, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, WORKER_METRICS_PORT: '0', PAY_LINK_SECRET: config.PAY_LINK_SECRET, NODE_OPTIONS: nodeOptionsWith(env.BENCH_LIVE_NODE_OPTIONS) }, (out) => out.includes('worker listening'));
    const workerPids = () => processTree(worker!.pid!);
    rawWorker = await Worker.create({ connection: nativeConnection, namespace, taskQueue: rawTaskQueue, workflowBundle: await rawBundle });
    rawRunning = rawWorker.run();

    const sql = orm.em.fork().getConnection();
    /** A tenant with `count` open invoices (and their one-installment plans) due on `dueDate`, or spread from it. */
    const seed = async (name: string, timeZone: string, count: number, dueDate: string, spreadDays: number) => {
      const { tenantId } = await createTenant(scopeOf({ orm, temporal: client, config }), { name, plan: 'professional', timeZone });
      tenantIds.push(tenantId);
      await sql.execute(
        `insert into contacts (id, tenant_id, name, email, company, created_at, updated_at)
         select gen_random_uuid(), ?, 'Live ' || g, null, null, now(), now() from generate_series(1, ?) g`,
        [tenantId, CONTACTS],
      );
      await sql.execute(
        `with c as (select id, row_number() over (order by id) as n from contacts where tenant_id = ?)
         insert into invoices (id, tenant_id, number, contact_id, currency, issue_date, due_date, line_items, total, paid, due, status, state_version, created_at, updated_at)
         select gen_random_uuid(), ?, 'L' || lpad(g::text, 6, '0'), c.id, 'USD', ?::date - 30, ?::date + (g % ?),
                '[{"description":"Live","quantity":1,"unitAmount":10000,"amount":10000}]'::jsonb, 10000, 0, 10000, 'open', 0, now(), now()
           from generate_series(1, ?) g join c on c.n = 1 + g % ?`,
        [tenantId, tenantId, dueDate, dueDate, spreadDays, count, CONTACTS],
      );
      await sql.execute(
        `insert into planned_payments (id, tenant_id, invoice_id, seq, amount, date, method)
         select gen_random_uuid(), tenant_id, id, 0, total, due_date, null from invoices where tenant_id = ?`,
        [tenantId],
      );
      return tenantId;
    };
    /** Starts the workflows of a tenant's invoices; `overdueAt` replaces the input's instant (the fallback). */
    const startAll = async (tenantId: string, timeZone: string, overdueAt?: number) => {
      const em = orm.em.fork();
      await em.findOneOrFail(Tenant, { id: tenantId }); // startOptions reads it from the identity map
      const invoices = await em.find(Invoice, { tenant: tenantId }, { populate: ['contact'] });
      const plans = new Map<string, PlannedPayment[]>();
      for (const p of await em.find(PlannedPayment, { tenant: tenantId })) plans.set(p.invoice.id, [p]);
      const deps: ServiceDeps = { em, temporal: client, config };
      const started = performance.now();
      await pool(invoices.length, START_CONCURRENCY, Infinity, async (i) => {
        const invoice = invoices[i];
        const plan = plans.get(invoice.id) ?? [];
        if (overdueAt === undefined) return startInvoiceWorkflow(deps, invoice, plan, { timeZone });
        const input = { ...workflowInputFor(invoice, plan, timeZone), overdueAt, overdueAtIso: isoInstant(overdueAt, timeZone) };
        await client.workflow.start('invoiceWorkflow', {
          taskQueue,
          workflowId: invoiceWorkflowId(invoice.id),
          args: [input],
          typedSearchAttributes: [
            { key: SearchAttr.tenantId, value: tenantId },
            { key: SearchAttr.status, value: 'open' },
          ],
        });
      });
      return { count: invoices.length, ms: performance.now() - started };
    };

    /** Waits until the task queue's workflow backlog is empty (every started workflow had its first task): the ms it took, and whether it emptied before `until`. */
    const drained = async (queue: string, until: number) => {
      const started = performance.now();
      let zeros = 0;
      while (zeros < 2 && Date.now() < until) {
        await sleep(1_000);
        const res = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: queue }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, reportStats: true });
        zeros = Number(res.stats?.approximateBacklogCount ?? 0) === 0 ? zeros + 1 : 0;
      }
      return { ms: performance.now() - started, empty: zeros >= 2 };
    };

    // 1. The invoices due months ahead (their first workflow tasks done), then the herd.
    const calm = LIVE - HERD;
    if (calm > 0) await seed(`bench-live-${runId}-calm`, 'UTC', calm, dateIn(Date.now() + 60 * 86_400_000, 'UTC'), 300);
    const calmStart = calm > 0 ? await startAll(tenantIds[0], 'UTC') : { count: 0, ms: 0 };
    const calmDrain = await drained(taskQueue, Date.now() + FIRST_TASKS_TIMEOUT_MS);
    const ratePerMs = calmStart.count > 0 ? calmStart.count / calmStart.ms : 0.05;
    log(`${calmStart.count} calm workflows started in ${round(calmStart.ms / 1000)} s, their first tasks done ${round(calmDrain.ms / 1000)} s later`);
    // The herd must be started (herd + raw timers) and through its first tasks, the worker measured at rest, before the instant.
    const drainPerWorkflow = calmStart.count > 0 ? calmDrain.ms / calmStart.count : 0;
    const earliest = Date.now() + ((2 * HERD) / ratePerMs + HERD * drainPerWorkflow) * 1.5 + REST_MS + 20_000;
    const midnight = nextMidnight(earliest);
    const zone = midnight?.zone ?? 'UTC';
    const instant = midnight?.at ?? Math.ceil(earliest / 1000) * 1000;
    const dueDate = dateIn(instant - 1, zone);
    log(`herd: ${HERD} invoices of a tenant in ${zone} due ${dueDate}, overdue at ${isoInstant(instant, zone)} (${round((instant - Date.now()) / 1000)} s from now)${midnight ? '' : ' (set in the input: no local midnight near enough)'}`);
    const herdTenant = await seed(`bench-live-${runId}-herd`, zone, HERD, dueDate, 1);
    const herdStart = await startAll(herdTenant, zone, midnight ? undefined : instant);
    const rawAt = instant + RAW_GAP_MS;
    const rawStarted = performance.now();
    await pool(HERD, START_CONCURRENCY, Infinity, (i) =>
      client.workflow.start('benchSleepUntil', { taskQueue: rawTaskQueue, workflowId: `bench-live-raw-${runId}-${i}`, args: [rawAt] }).then(() => undefined),
    );
    const rawStartMs = performance.now() - rawStarted;
    const herdDrain = await drained(taskQueue, instant - REST_MS - 5_000);
    // Not at rest when first tasks were still waiting: the rows say so.
    const backlogNote = calmDrain.empty && herdDrain.empty ? '' : '; NOT at rest: first workflow tasks were still queued';
    const startRate = (calmStart.count + herdStart.count) / ((calmStart.ms + herdStart.ms) / 1000);
    log(`herd started in ${round(herdStart.ms / 1000)} s, ${HERD} raw timers in ${round(rawStartMs / 1000)} s, first tasks done ${round(herdDrain.ms / 1000)} s later; ${round((instant - Date.now()) / 1000)} s to the instant`);

    // 2. At rest: every workflow waits on timers.
    await sleep(Math.min(5_000, instant - REST_MS - Date.now()));
    const restEnd = Math.min(instant - 2_000, Date.now() + REST_MS);
    const samples: { at: number; ticks: number; rssKb: number }[] = [];
    while (Date.now() < restEnd) {
      samples.push({ at: performance.now(), ...usage(workerPids()) });
      await sleep(1_000);
    }
    const restSeconds = (samples.at(-1)!.at - samples[0].at) / 1000;
    const restCpu = (samples.at(-1)!.ticks - samples[0].ticks) / CLOCK_TICKS / restSeconds;
    const rss = samples.map((s) => s.rssKb / 1024);

    // 3. The herd: poll until every herd invoice is overdue, then read when each one was written.
    const cpuBefore = usage(workerPids()).ticks;
    await sleep(instant - Date.now());
    const countOverdue = async () => Number((await sql.execute<{ n: string }[]>(`select count(*) as n from invoices where tenant_id = ? and status = 'overdue'`, [herdTenant]))[0].n);
    let seen = 0;
    while (seen < HERD && Date.now() < instant + DRAIN_TIMEOUT_MS) {
      await sleep(250);
      seen = await countOverdue();
    }
    const drainedAt = Date.now();
    const herdCpu = (usage(workerPids()).ticks - cpuBefore) / CLOCK_TICKS;
    const written = await sql.execute<{ ms: number }[]>(`select (extract(epoch from updated_at) * 1000)::float8 as ms from invoices where tenant_id = ? and status = 'overdue'`, [herdTenant]);
    const herd = written.map((r) => Number(r.ms) - instant);

    // The raw timers' close times.
    await sleep(rawAt - Date.now());
    const query = `TaskQueue = "${rawTaskQueue}"`;
    for (const deadline = Date.now() + DRAIN_TIMEOUT_MS; Date.now() < deadline; ) {
      await sleep(500);
      if ((await client.workflow.count(`${query} AND ExecutionStatus = "Running"`)).count === 0) break;
    }
    const raw: number[] = [];
    for await (const w of client.workflow.list({ query: `${query} AND ExecutionStatus = "Completed"` })) if (w.closeTime) raw.push(w.closeTime.getTime() - rawAt);

    const spread = (xs: number[]) => `p50 ${round(percentile(xs, 50) / 1000, 2)} s, p99 ${round(percentile(xs, 99) / 1000, 2)} s, max ${round(percentile(xs, 100) / 1000, 2)} s`;
    const how = midnight ? `local midnight in ${zone}` : 'instant set in the input';
    const rows: BenchRow[] = [
      { section: SECTION, metric: 'live invoice workflows started', value: calmStart.count + herdStart.count, unit: '', note: `startInvoiceWorkflow at ${round(startRate)} /s (${START_CONCURRENCY} concurrent); first workflow tasks of the calm ones done ${round(calmDrain.ms / 1000)} s after their starts${calmDrain.empty ? '' : ' (gave up waiting)'}; worker: ${RUNTIME} worker/main, WORKER_MAX_CACHED_WORKFLOWS ${env.WORKER_MAX_CACHED_WORKFLOWS ?? 'as configured by default'}` },
      { section: SECTION, metric: 'worker RSS at rest', value: round(percentile(rss, 50)), unit: 'MiB', note: `median of ${samples.length} samples over ${round(restSeconds)} s, max ${round(Math.max(...rss))} MiB; ${calmStart.count + herdStart.count} open workflows${backlogNote}` },
      { section: SECTION, metric: 'worker CPU at rest', value: round(restCpu * 100, 2), unit: '% of a core', note: `${round(restSeconds)} s, timers only${backlogNote}` },
      ...(
        [
          ['p50', 50],
          ['p99', 99],
          ['max', 100],
        ] as const
      ).map(([label, p]) => ({
        section: SECTION,
        metric: `overdue herd visible in Postgres, ${label}`,
        value: round(percentile(herd, p) / 1000, 2),
        unit: 's',
        reference: { label: `raw timer ${label}`, value: round(percentile(raw, p) / 1000, 2) },
        ratio: round(percentile(herd, p) / Math.max(1, percentile(raw, p)), 2),
        note:
          label === 'max'
            ? `${herd.length}/${HERD} overdue (${how}), all seen after ${round((drainedAt - instant) / 1000, 1)} s; worker CPU in the drain ${round(herdCpu, 1)} s; raw: ${raw.length} benchSleepUntil closed`
            : `herd ${spread(herd)}; raw ${spread(raw)}`,
      })),
    ];
    return rows;
  } finally {
    if (rawWorker?.getState() === 'RUNNING') rawWorker.shutdown();
    await rawRunning?.catch(() => undefined);
    await stopProcess(worker, 15_000);
    // The invoice workflows would otherwise wait on their timers forever, on a queue nobody polls.
    await client.workflowService
      .startBatchOperation({ namespace, jobId: `bench-live-${runId}`, visibilityQuery: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`, reason: 'bench live: done', terminationOperation: {} })
      .catch((err) => log(`could not terminate the workflows: ${(err as Error).message}`));
    // The tenants and their rows stay in the bench database (named bench-live-<run>): deleting them
    // cascades into tables whose invoice_id has no index of its own (payments), a scan per invoice.
    await nativeConnection.close();
    await connection.close();
    await orm.close();
  }
};
