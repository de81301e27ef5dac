/**
 * Load bench: the API and the worker as separate processes (started as `npm run stack` starts them,
 * `tsx api/main.ts` and `tsx worker/main.ts`), driven over HTTP by concurrent clients, against bare
 * Temporal calls from as many clients on the same server:
 *   a. invoice creation, BENCH_LOAD_CREATE_CLIENTS (16) concurrent: POST /v1/invoices vs workflow.start
 *      with the same four search attributes;
 *   b. payments, BENCH_LOAD_CLIENTS (32) concurrent over BENCH_LOAD_INVOICES (64) invoices: POST
 *      /v1/invoices/{id}/payments (answered once stored) vs executeUpdate on trivial workflows, and vs
 *      the architecture's floor: executeUpdate whose handler writes one row through a local activity
 *      (and the same with the PcAmountDue upsert an invoice makes on every payment);
 *   c. where the time goes: CPU per payment of each process (/proc), server tasks per payment (from a
 *      workflow's history), and the exactly-once check (every accepted payment counted once).
 * API and raw phases alternate (BENCH_LOAD_ROUNDS of BENCH_LOAD_PHASE_S each), so a load swing on a
 * shared machine hits both sides. BENCH_LOAD_NODE_OPTIONS goes to the API and worker processes only
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where their time goes).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { ChildProcess } from 'node:child_process';
import { createOrm } from '../db/orm';
import { scopeOf } from '../services/context';
import { createTenant } from '../services/tenants';
import { SearchAttr, invoiceWorkflowId } from '../workflows/definitions';
import { percentile, round } from './core';
import { pool } from './pool';
import { CLOCK_TICKS, nodeOptionsWith, processesNamed, processTree, sectionTarget, startProcess, stopProcess, usage } from './processes';
import { floorUpdate, floorUpsertUpdate, pingUpdate, rawBenchWorkflow, rawFloorWorkflow, type FloorActivities } from './raw-workflows';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'load';
const env = process.env;
const CLIENTS = Number(env.BENCH_LOAD_CLIENTS ?? 32);
const INVOICES = Number(env.BENCH_LOAD_INVOICES ?? 64);
const CREATE_CLIENTS = Number(env.BENCH_LOAD_CREATE_CLIENTS ?? 16);
const CREATE_PER_ROUND = Number(env.BENCH_LOAD_CREATE_PER_ROUND ?? 64);
const ROUNDS = Number(env.BENCH_LOAD_ROUNDS ?? 2);
const PHASE_MS = Number(env.BENCH_LOAD_PHASE_S ?? 12) * 1000;
const WARMUP_MS = 3_000;
/** Never reached: payments of 1–7 cents leave every invoice open. */
const INVOICE_TOTAL = 100_000_000;

const log = (line: string) => console.error(`[bench:${SECTION}] ${line}`);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** CPU ticks of each process group, read together. */
type Groups = Record<'api' | 'worker' | 'temporal' | 'postgres' | 'bench', number[]>;
const ticksOf = (groups: () => Groups) => {
  const g = groups();
  return Object.fromEntries(Object.entries(g).map(([k, pids]) => [k, usage(pids).ticks])) as Record<keyof Groups, number>;
};

interface Phase {
  done: number;
  ms: number;
  latencies: number[];
  cpu: Record<keyof Groups, number>;
}

/**
 * Runs `op` from `clients` lanes for `ms` (or `count` operations), with the CPU each process group spent
 * meanwhile. `settle` holds the phase open until the work its operations left behind is done (a
 * started workflow's first task runs after the start returns): that time and CPU count in the phase,
 * not in the next one.
 */
async function phase(clients: number, ms: number, groups: () => Groups, op: (n: number) => Promise<void>, seq: { n: number }, count = Number.MAX_SAFE_INTEGER, settle?: () => Promise<void>): Promise<Phase> {
  const latencies: number[] = [];
  const before = ticksOf(groups);
  const started = performance.now();
  const r = await pool(count, clients, ms, async () => {
    const t = performance.now();
    await op(seq.n++);
    latencies.push(performance.now() - t);
  });
  await settle?.();
  const after = ticksOf(groups);
  const cpu = Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k as keyof Groups] - before[k as keyof Groups]) / CLOCK_TICKS) * 1000])) as Phase['cpu'];
  return { done: r.done, ms: settle ? performance.now() - started : r.ms, latencies, cpu };
}

const merge = (phases: Phase[]): Phase => ({
  done: phases.reduce((a, p) => a + p.done, 0),
  ms: phases.reduce((a, p) => a + p.ms, 0),
  latencies: phases.flatMap((p) => p.latencies),
  cpu: Object.fromEntries(Object.keys(phases[0].cpu).map((k) => [k, phases.reduce((a, p) => a + p.cpu[k as keyof Groups], 0)])) as Phase['cpu'],
});
const rate = (p: Phase) => (p.done / p.ms) * 1000;

export const run: BenchSection = async () => {
  const { databaseUrl, address, namespace, runId, taskQueue, rawTaskQueue } = sectionTarget('load');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = { TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: base, PAY_LINK_SECRET: randomBytes(32).toString('hex') };
  const processEnv = { ...env, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, PAY_LINK_SECRET: config.PAY_LINK_SECRET, LOG_LEVEL: 'warn', NODE_ENV: 'production', NODE_OPTIONS: nodeOptionsWith(env.BENCH_LOAD_NODE_OPTIONS) };

  const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 4 } });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const nativeConnection = await NativeConnection.connect({ address });
  let api: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let rawWorker: Worker | undefined;
  let rawRunning: Promise<void> | undefined;
  try {
    const rawBundle = bundleWorkflowCode({ workflowsPath: require.resolve('./raw-workflows') });
    worker = await startProcess('worker/main.ts', { ...processEnv, WORKER_METRICS_PORT: '0' }, (out) => out.includes('worker listening'));
    api = await startProcess('api/main.ts', { ...processEnv, PORT: String(port), RATE_LIMIT_PER_MINUTE: '100000000' }, async () => {
      try {
        return (await fetch(`${base}/healthz`)).ok;
      } catch {
        return false;
      }
    });
    // The floor's table: one row per Update, written as the invoice workflow writes (one statement, committed).
    await orm.em.getConnection().execute(`create table if not exists bench_floor_rows (id bigserial primary key, workflow_id text not null, n integer not null, at timestamptz not null default now())`);
    const floorActivities: FloorActivities = {
      insertFloorRow: async (workflowId, n) => void (await orm.em.fork().execute(`insert into bench_floor_rows (workflow_id, n) values (?, ?)`, [workflowId, n], 'run')),
    };
    rawWorker = await Worker.create({ connection: nativeConnection, namespace, taskQueue: rawTaskQueue, workflowBundle: await rawBundle, activities: floorActivities });
    rawRunning = rawWorker.run();
    const groups = (): Groups => ({
      api: processTree(api!.pid!),
      worker: processTree(worker!.pid!),
      temporal: processesNamed('temporal', 'temporal-server'),
      postgres: processesNamed('postgres'),
      bench: [process.pid],
    });

    const { apiKey } = await createTenant(scopeOf({ orm, temporal: client, config }), { name: `bench-load-${runId}`, plan: 'professional', timeZone: 'UTC' });
    const request = async (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (key) headers['idempotency-key'] = key;
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const contact = await request('POST', '/v1/contacts', { name: 'Load Contact' });
    if (contact.status !== 201) throw new Error(`contact: ${contact.status} ${JSON.stringify(contact.body)}`);
    const createInvoice = async (total: number) => {
      const res = await request('POST', '/v1/invoices', { contactId: contact.body.id, currency: 'USD', issueDate: '2026-01-01', dueDate: '2099-12-31', lineItems: [{ description: 'Load', quantity: 1, unitAmount: total }] }, randomUUID());
      if (res.status !== 201) throw new Error(`create invoice: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    };
    const benchAttributes = (id: string) => [
      { key: SearchAttr.tenantId, value: 'bench' },
      { key: SearchAttr.invoiceNumber, value: id },
      { key: SearchAttr.status, value: 'open' },
      { key: SearchAttr.contactId, value: 'bench' },
    ];
    /**
     * Until each of these workflows has completed its first workflow task (four events: started, task
     * scheduled, started, completed). One at a time in start order, which is about the order the
     * tasks run in: about one describe per workflow, the same for every side.
     */
    const firstTasksDone = (ids: string[]) => async () => {
      const pending = ids.splice(0);
      for (let i = 0; i < pending.length; ) {
        if ((await client.workflow.getHandle(pending[i]).describe()).historyLength >= 4) i++;
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const rawStart = (id: string) => client.workflow.start(rawBenchWorkflow, { taskQueue: rawTaskQueue, workflowId: id, typedSearchAttributes: benchAttributes(id) });
    // The creation floor: the same start, and its first task writes a row through a local activity.
    const floorStart = (id: string) => client.workflow.start(rawFloorWorkflow, { taskQueue: rawTaskQueue, workflowId: id, args: [true], typedSearchAttributes: benchAttributes(id) });
    // And a durable timer for the invoices' due date, started in that task (what every invoice adds).
    const floorTimerStart = (id: string) => client.workflow.start(rawFloorWorkflow, { taskQueue: rawTaskQueue, workflowId: id, args: [true, Date.parse('2099-12-31')], typedSearchAttributes: benchAttributes(id) });

    // ---- a. creation: alternating rounds, the invoices kept for the payments ----------------------
    const invoices: string[] = [];
    const rawIds: string[] = [];
    await pool(8, 4, 30_000, async (i) => {
      invoices.push(await createInvoice(INVOICE_TOTAL));
      rawIds.push(`${rawTaskQueue}-warm-${i}`);
      await rawStart(rawIds.at(-1)!);
    });
    const apiCreate: Phase[] = [];
    const rawCreate: Phase[] = [];
    const floorCreate: Phase[] = [];
    const floorTimerCreate: Phase[] = [];
    const createSeq = { n: 0 };
    // Each creation phase lasts until the first tasks of the workflows it started have run: a start
    // returns before its first task, and a backlog left over would be worked off in the next phase.
    const startedHere: string[] = [];
    const settled = firstTasksDone(startedHere);
    const starting = (start: (id: string) => Promise<unknown>, prefix: string) => async (n: number) => {
      const id = `${prefix}-${n}`;
      startedHere.push(id);
      await start(id);
    };
    for (let r = 0; r < ROUNDS; r++) {
      rawCreate.push(await phase(CREATE_CLIENTS, PHASE_MS, groups, starting(async (id) => { rawIds.push(id); await rawStart(id); }, `${rawTaskQueue}-start`), createSeq, CREATE_PER_ROUND, settled));
      floorCreate.push(await phase(CREATE_CLIENTS, PHASE_MS, groups, starting(floorStart, `${rawTaskQueue}-floor-start`), createSeq, CREATE_PER_ROUND, settled));
      floorTimerCreate.push(await phase(CREATE_CLIENTS, PHASE_MS, groups, starting(floorTimerStart, `${rawTaskQueue}-floor-timer`), createSeq, CREATE_PER_ROUND, settled));
      apiCreate.push(
        await phase(CREATE_CLIENTS, PHASE_MS, groups, async () => {
          const id = await createInvoice(INVOICE_TOTAL);
          invoices.push(id);
          startedHere.push(invoiceWorkflowId(id));
        }, createSeq, CREATE_PER_ROUND, settled),
      );
    }
    const createdApi = merge(apiCreate);
    const createdRaw = merge(rawCreate);
    const createdFloor = merge(floorCreate);
    const createdFloorTimer = merge(floorTimerCreate);
    log(`creation: API ${round(rate(createdApi), 1)}/s, raw ${round(rate(createdRaw), 1)}/s, floor ${round(rate(createdFloor), 1)}/s, floor with timer ${round(rate(createdFloorTimer), 1)}/s`);

    // ---- b. payments: 32 clients over 64 invoices (API) / 64 trivial workflows (raw) ----------------
    const payOn = invoices.slice(0, INVOICES);
    const rawTargets = await Promise.all(Array.from({ length: INVOICES }, (_, i) => client.workflow.start(rawBenchWorkflow, { taskQueue: rawTaskQueue, workflowId: `${rawTaskQueue}-pay-${i}` })));
    const floorTargets = await Promise.all(Array.from({ length: INVOICES }, (_, i) => client.workflow.start(rawFloorWorkflow, { taskQueue: rawTaskQueue, workflowId: `${rawTaskQueue}-floorpay-${i}` })));
    const accepted = new Map<string, number>(payOn.map((id) => [id, 0]));
    let retried503 = 0;
    const pay = async (n: number) => {
      const id = payOn[n % payOn.length];
      const amount = 1 + (n % 7);
      const key = `load-${runId}-${n}`;
      for (let attempt = 0; ; attempt++) {
        const res = await request('POST', `/v1/invoices/${id}/payments`, { amount, method: 'cash', reference: key }, key);
        if (res.status === 201) break;
        // 503 payment_pending: the client retries with its key, as the API asks.
        if (res.status === 503 && attempt < 5) {
          retried503++;
          continue;
        }
        throw new Error(`payment ${n}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      accepted.set(id, accepted.get(id)! + amount);
    };
    /** The n-th Update goes to targets[n mod length] and must answer n. */
    const echoing = (targets: WorkflowHandle[], definition: typeof pingUpdate) => async (n: number) => {
      const got = await targets[n % targets.length].executeUpdate(definition, { args: [n] });
      if (got !== n) throw new Error(`${definition.name} returned ${got}, expected ${n}`);
    };
    const update = echoing(rawTargets, pingUpdate);
    const floor = echoing(floorTargets, floorUpdate);
    const floorUpsert = echoing(floorTargets, floorUpsertUpdate);
    const paySeq = { n: 0 };
    const updSeq = { n: 0 };
    // One sequence for both floors: their rows are counted together.
    const floorSeq = { n: 0 };
    await phase(CLIENTS, WARMUP_MS, groups, pay, paySeq);
    await phase(CLIENTS, WARMUP_MS, groups, update, updSeq);
    await phase(CLIENTS, WARMUP_MS, groups, floor, floorSeq);
    const apiPay: Phase[] = [];
    const rawPay: Phase[] = [];
    const floorPay: Phase[] = [];
    const floorUpsertPay: Phase[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      rawPay.push(await phase(CLIENTS, PHASE_MS, groups, update, updSeq));
      floorPay.push(await phase(CLIENTS, PHASE_MS, groups, floor, floorSeq));
      floorUpsertPay.push(await phase(CLIENTS, PHASE_MS, groups, floorUpsert, floorSeq));
      apiPay.push(await phase(CLIENTS, PHASE_MS, groups, pay, paySeq));
    }
    const paid = merge(apiPay);
    const updated = merge(rawPay);
    const floored = merge(floorPay);
    const flooredUpsert = merge(floorUpsertPay);
    log(`payments: API ${round(rate(paid), 1)}/s, raw ${round(rate(updated), 1)}/s, floor ${round(rate(floored), 1)}/s, floor with upsert ${round(rate(flooredUpsert), 1)}/s`);
    const [{ rows: floorRows }] = await orm.em.getConnection().execute<{ rows: string }[]>(`select count(*) as rows from bench_floor_rows where workflow_id like ?`, [`${rawTaskQueue}-floorpay-%`]);
    if (Number(floorRows) !== floorSeq.n) throw new Error(`floor: ${floorRows} rows for ${floorSeq.n} Updates`);

    // ---- c. exactly once, and where the time goes -------------------------------------------------
    let mismatched = 0;
    for (const id of payOn) {
      const got = await request('GET', `/v1/invoices/${id}`);
      if (got.body.paid !== accepted.get(id)) mismatched++;
    }
    const sample = client.workflow.getHandle(invoiceWorkflowId(payOn[0]));
    const history = await sample.fetchHistory();
    const type = temporal.api.enums.v1.EventType;
    const count = (t: number) => history.events!.filter((e) => e.eventType === t).length;
    const paymentsOnSample = Math.round(paySeq.n / payOn.length);
    const wfTasks = count(type.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const actTasks = count(type.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    const markers = count(type.EVENT_TYPE_MARKER_RECORDED);
    const updatesAccepted = count(type.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);

    const perOp = (ph: Phase, k: keyof Groups) => ph.cpu[k] / ph.done;
    const latencyNote = (ph: Phase) => `p50 ${round(percentile(ph.latencies, 50), 1)} ms p99 ${round(percentile(ph.latencies, 99), 1)} ms`;
    const cpuNote = (ph: Phase) => (['api', 'worker', 'temporal', 'postgres', 'bench'] as const).map((k) => `${k} ${round(perOp(ph, k), 1)}`).join(', ');
    const total = (ph: Phase, keys: (keyof Groups)[]) => keys.reduce((a, k) => a + perOp(ph, k), 0);
    const rows: BenchRow[] = [];
    const where = `API and worker processes over HTTP, ${round(paid.ms / 1000, 1)} s API / ${round(updated.ms / 1000, 1)} s raw in ${ROUNDS} alternating rounds`;
    rows.push({
      section: SECTION,
      metric: `a. invoice creation @c${CREATE_CLIENTS}`,
      value: round(rate(createdApi), 1),
      unit: 'inv/s',
      reference: { label: `raw workflow.start @c${CREATE_CLIENTS}`, value: round(rate(createdRaw), 1) },
      ratio: round(rate(createdApi) / rate(createdRaw), 2),
      note: `API/raw (higher is better); ${createdApi.done} API, ${createdRaw.done} raw; API ${latencyNote(createdApi)}; raw ${latencyNote(createdRaw)}; CPU ms per invoice: ${cpuNote(createdApi)}; per raw start: ${cpuNote(createdRaw)}`,
    });
    rows.push({
      section: SECTION,
      metric: `a. floor: start + first-task local-activity INSERT @c${CREATE_CLIENTS}`,
      value: round(rate(createdFloor), 1),
      unit: 'wf/s',
      reference: { label: `raw workflow.start @c${CREATE_CLIENTS}`, value: round(rate(createdRaw), 1) },
      ratio: round(rate(createdFloor) / rate(createdRaw), 2),
      note: `floor/raw: the least an invoice costs on this architecture (a started workflow that writes its row in its first task, no HTTP, no rules); creation/floor ${round(rate(createdApi) / rate(createdFloor), 2)}; ${latencyNote(createdFloor)}; CPU ms per floor start: ${cpuNote(createdFloor)}`,
    });
    rows.push({
      section: SECTION,
      metric: `a. floor + due-date timer @c${CREATE_CLIENTS}`,
      value: round(rate(createdFloorTimer), 1),
      unit: 'wf/s',
      reference: { label: `floor @c${CREATE_CLIENTS}`, value: round(rate(createdFloor), 1) },
      ratio: round(rate(createdFloorTimer) / rate(createdFloor), 2),
      note: `with/without (higher is better): what the durable timer every invoice starts for its due date costs; against raw ${round(rate(createdFloorTimer) / rate(createdRaw), 2)}, creation/this ${round(rate(createdApi) / rate(createdFloorTimer), 2)}; CPU ms per start: ${cpuNote(createdFloorTimer)}`,
    });
    rows.push({
      section: SECTION,
      metric: `b. payments @c${CLIENTS} over ${INVOICES} invoices`,
      value: round(rate(paid), 1),
      unit: 'pay/s',
      reference: { label: `raw executeUpdate @c${CLIENTS}`, value: round(rate(updated), 1) },
      ratio: round(rate(paid) / rate(updated), 2),
      note: `API/raw (higher is better); ${paid.done} payments, ${updated.done} raw Updates; ${where}; 503 retried with the key: ${retried503}`,
    });
    rows.push({
      section: SECTION,
      metric: `b. floor: Update + local-activity INSERT @c${CLIENTS}`,
      value: round(rate(floored), 1),
      unit: 'upd/s',
      reference: { label: `raw executeUpdate @c${CLIENTS}`, value: round(rate(updated), 1) },
      ratio: round(rate(floored) / rate(updated), 2),
      note: `floor/raw: the least a payment costs on this architecture (an Update written to Postgres in its workflow task, no HTTP, no rules); payments/floor ${round(rate(paid) / rate(floored), 2)}; ${latencyNote(floored)}; CPU ms per floor Update: ${cpuNote(floored)} (bench = clients + raw worker); ${floorRows} rows for ${floorSeq.n} Updates`,
    });
    rows.push({
      section: SECTION,
      metric: `b. floor + PcAmountDue upsert @c${CLIENTS}`,
      value: round(rate(flooredUpsert), 1),
      unit: 'upd/s',
      reference: { label: `floor @c${CLIENTS}`, value: round(rate(floored), 1) },
      ratio: round(rate(flooredUpsert) / rate(floored), 2),
      note: `with/without (higher is better): what the search attribute an invoice upserts on every payment costs; against raw ${round(rate(flooredUpsert) / rate(updated), 2)}, payments/this ${round(rate(paid) / rate(flooredUpsert), 2)}; CPU ms per Update: ${cpuNote(flooredUpsert)}`,
    });
    for (const p of [50, 99]) {
      const v = percentile(paid.latencies, p);
      const u = percentile(updated.latencies, p);
      rows.push({ section: SECTION, metric: `b. payment latency p${p}`, value: round(v, 1), unit: 'ms', reference: { label: `raw executeUpdate p${p}`, value: round(u, 1) }, ratio: round(v / u, 2), note: 'API/raw (lower is better); POST answered once stored' });
    }
    rows.push({
      section: SECTION,
      metric: 'c. CPU per payment, stack processes',
      value: round(total(paid, ['api', 'worker', 'temporal', 'postgres']), 1),
      unit: 'ms',
      reference: { label: 'CPU per raw Update (temporal + postgres + raw worker)', value: round(total(updated, ['temporal', 'postgres', 'bench']), 1) },
      ratio: round(total(paid, ['api', 'worker', 'temporal', 'postgres']) / total(updated, ['temporal', 'postgres', 'bench']), 2),
      note: `API/raw (lower is better); per payment: ${cpuNote(paid)} (bench = the HTTP clients); per raw Update: ${cpuNote(updated)} (bench = clients + raw worker)`,
    });
    rows.push({
      section: SECTION,
      metric: 'c. server tasks per payment',
      value: round((wfTasks + actTasks) / Math.max(1, updatesAccepted), 2),
      unit: 'tasks',
      reference: { label: 'raw Update', value: 1 },
      ratio: round((wfTasks + actTasks) / Math.max(1, updatesAccepted), 2),
      note: `one invoice's history: ${updatesAccepted} Updates accepted (≈${paymentsOnSample} payments sent to it), ${wfTasks} workflow tasks, ${actTasks} activity tasks, ${markers} markers, ${history.events!.length} events`,
    });
    rows.push({
      section: SECTION,
      metric: 'c. exactly once',
      value: mismatched,
      unit: 'invoices off',
      note: mismatched === 0 ? `OK: each of ${payOn.length} invoices shows exactly the sum of its ${paySeq.n} accepted payments` : `FAILED: ${mismatched} invoices differ from their accepted payments`,
    });
    if (mismatched) throw Object.assign(new Error(`load: ${mismatched} invoices do not show their accepted payments`), { rows });
    return rows;
  } finally {
    if (rawWorker?.getState() === 'RUNNING') rawWorker.shutdown();
    await rawRunning?.catch(() => undefined);
    await Promise.all([stopProcess(api), stopProcess(worker, 15_000)]);
    for (const queue of [taskQueue, rawTaskQueue]) {
      await client.workflowService
        .startBatchOperation({ namespace, jobId: `${queue}-done`, visibilityQuery: `TaskQueue = "${queue}" AND ExecutionStatus = "Running"`, reason: 'bench load: done', terminationOperation: {} })
        .catch((err) => log(`could not terminate the workflows of ${queue}: ${(err as Error).message}`));
    }
    await orm.em.getConnection().execute(`drop table if exists bench_floor_rows`).catch(() => undefined);
    await nativeConnection.close();
    await connection.close();
    await orm.close();
  }
};
