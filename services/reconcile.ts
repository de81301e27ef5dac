/**
 * Closes the one window where an invoice could exist without its workflow: a process that dies
 * after committing the invoice and before starting the workflow. Invoices the workflow never
 * wrote to (stateVersion 0) get their workflow started again; the start is idempotent
 * (USE_EXISTING), so running workflows are left alone.
 */
import { Invoice, PlannedPayment } from '../db/entities';
import type { ServiceDeps } from './context';
import { startInvoiceWorkflow, workflowInputFor } from './invoices';

export async function ensureInvoiceWorkflows(deps: ServiceDeps, opts: { since: Date; until: Date; batch?: number }): Promise<number> {
  const em = deps.orm.em.fork();
  const invoices = await em.find(
    Invoice,
    { stateVersion: 0, status: { $in: ['open', 'overdue'] }, createdAt: { $gte: opts.since, $lte: opts.until } },
    { populate: ['tenant', 'contact'], limit: opts.batch ?? 500, orderBy: { id: 'asc' } },
  );
  for (const invoice of invoices) {
    const plan = await em.find(PlannedPayment, { invoice: invoice.id }, { orderBy: { seq: 'asc' } });
    await startInvoiceWorkflow(deps, workflowInputFor(invoice, plan, invoice.tenant.timeZone));
  }
  return invoices.length;
}

/**
 * Periodic recovery in the API process: invoices left without a workflow, and Stripe events stored
 * but never handed to Temporal. Both steps are idempotent, so several API replicas may run them.
 */
export function startRecoverySweeps(steps: Array<() => Promise<unknown>>, intervalMs = 30_000): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => Promise.allSettled(steps.map((step) => step())));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Invoices committed in the last hour whose workflow never started (older than 30 s: not in flight). */
export const recentOrphans = (deps: ServiceDeps) => () =>
  ensureInvoiceWorkflows(deps, { since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() - 30_000) });
