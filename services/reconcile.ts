/**
 * Closes the one window where an invoice could exist without its workflow: a process that dies
 * after committing the invoice and before starting the workflow. Invoices the workflow never
 * wrote to (stateVersion 0) whose workflow Temporal's visibility does not show running get it
 * started again; the start is idempotent (USE_EXISTING), so a running one is left alone.
 */
import { Invoice, PlannedPayment } from '../db';
import { MS_PER_HOUR } from '../domain/dates';
import { invoiceWorkflowId } from '../workflows/definitions';
import type { ServiceDeps } from './context';
import { startInvoiceWorkflow } from './invoice-workflow';

const ORPHAN_BATCH = 500;
/** Younger invoices may still be starting their workflow in the request that created them. */
const ORPHAN_MIN_AGE_MS = 30_000;
const RECOVERY_INTERVAL_MS = 30_000;
/** Workflow ids per visibility query (the query names each one). */
const VISIBILITY_CHUNK = 100;

/** Invoices already known to have their workflow (started here, or found running), by id: their creation time (ms). */
export type StartedInvoices = Map<string, number>;

/** Where the sweeps report what they could not do (the API's pino logger). */
export interface SweepLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Which of these invoices' workflows are running, by one visibility query per hundred (what Temporal
 * UI searches). Visibility may lag a start by a moment: a workflow it misses is started again, which
 * USE_EXISTING makes harmless. A server that cannot answer the query leaves every one to be started.
 */
async function runningInvoiceWorkflows(deps: ServiceDeps, invoiceIds: string[], log?: SweepLog): Promise<Set<string>> {
  const running = new Set<string>();
  try {
    for (let i = 0; i < invoiceIds.length; i += VISIBILITY_CHUNK) {
      const ids = invoiceIds.slice(i, i + VISIBILITY_CHUNK).map((id) => `'${invoiceWorkflowId(id)}'`);
      for await (const wf of deps.temporal.workflow.list({ query: `WorkflowId IN (${ids.join(', ')}) AND ExecutionStatus = 'Running'` })) running.add(wf.workflowId);
    }
  } catch (err) {
    log?.warn({ err, candidates: invoiceIds.length }, 'orphan sweep: the visibility query failed; starting every candidate (USE_EXISTING leaves running ones alone)');
    return new Set();
  }
  return running;
}

/** Starts the workflow of each invoice of the window that has none; returns how many it started. */
export async function ensureInvoiceWorkflows(deps: ServiceDeps, opts: { since: Date; until: Date; batch?: number; started?: StartedInvoices; log?: SweepLog }): Promise<number> {
  const { em } = deps;
  const candidates = await em.execute<{ id: string; createdAt: Date | string }[]>(
    `select id, created_at as "createdAt" from invoices where state_version = 0 and status in ('open', 'overdue') and created_at between ? and ? and id <> all(?::uuid[]) order by id limit ?`,
    // The ids as one array literal: a JS array would be spread into one placeholder per id.
    [opts.since, opts.until, `{${[...(opts.started?.keys() ?? [])].join(',')}}`, opts.batch ?? ORPHAN_BATCH],
  );
  if (candidates.length === 0) return 0;
  // One visibility query per hundred instead of a start per invoice: a new invoice's workflow is
  // almost always running, and a start that finds it costs the server and this process about what
  // creating it did.
  const running = await runningInvoiceWorkflows(deps, candidates.map((c) => c.id), opts.log);
  const missing: string[] = [];
  for (const c of candidates) {
    if (running.has(invoiceWorkflowId(c.id))) opts.started?.set(c.id, new Date(c.createdAt).getTime());
    else missing.push(c.id);
  }
  if (missing.length === 0) return 0;
  const [invoices, plans] = await Promise.all([
    em.find(Invoice, { id: { $in: missing } }, { populate: ['tenant', 'contact'], orderBy: { id: 'asc' } }),
    em.find(PlannedPayment, { invoice: { $in: missing } }, { orderBy: { seq: 'asc' } }),
  ]);
  for (const invoice of invoices) {
    await startInvoiceWorkflow(deps, invoice, plans.filter((p) => p.invoice.id === invoice.id), invoice.tenant);
    opts.started?.set(invoice.id, invoice.createdAt.getTime());
  }
  return invoices.length;
}

/**
 * The sweep for invoices committed in the last hour whose workflow never started. It asks about each
 * invoice once (per process): one whose workflow it found running or started is remembered until it
 * leaves the window. Asking again every sweep sent a start for every invoice of the last hour that
 * had no payment yet, every 30 s: a standing load that grew with the rate of creation.
 */
export function recentOrphans(log?: SweepLog): (deps: ServiceDeps) => Promise<number> {
  const started: StartedInvoices = new Map();
  return (deps) => {
    const now = Date.now();
    for (const [id, createdAt] of started) if (createdAt < now - MS_PER_HOUR) started.delete(id);
    return ensureInvoiceWorkflows(deps, { since: new Date(now - MS_PER_HOUR), until: new Date(now - ORPHAN_MIN_AGE_MS), started, log });
  };
}

/** A step of the periodic recovery, named for the log. */
export interface RecoveryStep {
  name: string;
  run: (deps: ServiceDeps) => Promise<unknown>;
}

/** One round of the recovery steps, each in its own scope; a step that fails (Postgres or Temporal unreachable) is logged, and the next round tries it again. */
export async function runRecoverySweep(scope: () => ServiceDeps, steps: RecoveryStep[], log: SweepLog): Promise<void> {
  const results = await Promise.allSettled(steps.map((step) => step.run(scope())));
  results.forEach((r, i) => {
    if (r.status === 'rejected') log.error({ err: r.reason, step: steps[i].name }, `recovery sweep failed: ${steps[i].name}`);
  });
}

/**
 * Periodic recovery in the API process: invoices left without a workflow, and Stripe events stored
 * but never handed to Temporal. Each run of a step is one unit of work (`scope()` forks its
 * EntityManager); all steps are idempotent, so several API replicas may run them.
 */
export function startRecoverySweeps(scope: () => ServiceDeps, steps: RecoveryStep[], opts: { log: SweepLog; intervalMs?: number }): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => runRecoverySweep(scope, steps, opts.log));
  }, opts.intervalMs ?? RECOVERY_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
