/**
 * The one door to the invoice workflow. Starting it (with its search attributes), sending it an
 * Update and mapping the failures, and "signal it, or start a new run from the stored state if it
 * has ended" live here, so a new message touches the workflow, its definitions and this file.
 */
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { SearchAttributePair, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { Invoice, InvoiceEvent, Payment, PlannedPayment, Tenant } from '../db';
import { isoInstant, overdueInstant, zonedInstant } from '../domain/dates';
import { DomainError } from '../domain/errors';
import { invoicePaidError, invoiceVoidError, type InvoiceStatus } from '../domain/invoice';
import type { StoredReminderSchedule } from '../domain/reminders';
import {
  adjustInvoiceUpdate,
  applyPaymentUpdate,
  invoiceWorkflowId,
  paymentReceivedSignal,
  paymentReversedSignal,
  reversalFailedSignal,
  PATCH_LEVEL,
  SearchAttr,
  voidInvoiceUpdate,
  voidPaymentUpdate,
  type AdjustmentInput,
  type ApplyPaymentResult,
  type InvoiceCarriedState,
  type InvoiceSnapshot,
  type InvoiceWorkflowInput,
  type PaymentInput,
  type ReversalInput,
  type VoidPaymentInput,
} from '../workflows/definitions';
import { DEFAULT_TIME_ZONE, invoiceDetails, invoiceSummary } from '../workflows/descriptions';
import { fromFailure } from '../workflows/failures';
import type { invoiceWorkflow } from '../workflows/invoice';
import type { ServiceDeps } from './context';

/**
 * How long an API call waits for the workflow before answering 503 (the client retries with its key).
 * Longer than the 10 s workflow task timeout: a workflow task lost by the server is retried only after it.
 */
export const UPDATE_TIMEOUT_MS = 20_000;

/**
 * The server rejects an Update the worker was handed but did not process: with SDK 1.24 and server
 * 1.32 this happens to Updates that arrive while the workflow task is kept open by a long local
 * activity (the write waiting on Postgres), see docs/scale.md ("Local activity writes"). Nothing was applied and the
 * update id is free again, so sending it again (same id) is safe.
 */
const isUnprocessedRejection = (err: unknown) =>
  err instanceof WorkflowUpdateFailedError && /wasn't processed by worker/.test((err.cause as Error | undefined)?.message ?? '');

/** Runs an Update call, sending it again while the server rejects it unprocessed and time remains. */
async function sendUpdate<T>(deadline: number, call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!isUnprocessedRejection(err) || Date.now() + 250 >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A message that never waits for an answer: Stripe payments and reversals. */
export type InvoiceSignal =
  | { kind: 'payment'; payment: PaymentInput }
  | { kind: 'reversal'; reversal: ReversalInput }
  | { kind: 'reversal_failed'; reversalId: string; reason: string | null };

function signalOf(message: InvoiceSignal): [SignalDefinition<[unknown]>, unknown] {
  switch (message.kind) {
    case 'payment':
      return [paymentReceivedSignal as SignalDefinition<[unknown]>, message.payment];
    case 'reversal':
      return [paymentReversedSignal as SignalDefinition<[unknown]>, message.reversal];
    case 'reversal_failed':
      return [reversalFailedSignal as SignalDefinition<[unknown]>, { reversalId: message.reversalId, reason: message.reason }];
  }
}

export function workflowInputFor(invoice: Invoice, plan: PlannedPayment[], timeZone: string): InvoiceWorkflowInput {
  const overdueAt = overdueInstant(invoice.dueDate, timeZone);
  return {
    invoiceId: invoice.id,
    tenantId: invoice.tenant.id,
    contactId: invoice.contact.id,
    number: invoice.number,
    currency: invoice.currency,
    total: invoice.total,
    dueDate: invoice.dueDate,
    overdueAt,
    overdueAtIso: isoInstant(overdueAt, timeZone),
    timeZone,
    patchLevel: PATCH_LEVEL,
    plan: plan.map((p) => {
      const at = zonedInstant(p.date, timeZone);
      return { id: p.id, amount: p.amount, date: p.date, at, atIso: isoInstant(at, timeZone) };
    }),
  };
}

/** The invoice as a run starts from it: the input plus what only the rows know. */
interface RunStart {
  input: InvoiceWorkflowInput;
  contactName: string;
  paid: number;
  due: number;
  status: InvoiceStatus;
  /** Known to a request (its caller's tenant); looked up otherwise. */
  tenantName?: string;
}

/** What operators see of a run from its start: search attributes, summary and details (Temporal UI). */
async function startOptions(deps: ServiceDeps, { input, tenantName, ...state }: RunStart): Promise<{ typedSearchAttributes: SearchAttributePair[]; staticSummary: string; staticDetails: string }> {
  // Without it, often already in this unit of work's identity map (loaded by the sweep or the restart): no query then.
  const name = tenantName ?? (await deps.em.findOne(Tenant, { id: input.tenantId }))?.name;
  const view = { ...input, ...state, tenantName: name, timeZone: input.timeZone ?? DEFAULT_TIME_ZONE };
  return {
    typedSearchAttributes: [
      { key: SearchAttr.tenantId, value: input.tenantId },
      { key: SearchAttr.invoiceNumber, value: input.number },
      { key: SearchAttr.status, value: state.status },
      { key: SearchAttr.contactId, value: input.contactId },
      { key: SearchAttr.contactName, value: state.contactName },
      { key: SearchAttr.dueDate, value: new Date(`${input.dueDate}T00:00:00Z`) },
      { key: SearchAttr.amountDue, value: state.due },
      { key: SearchAttr.attention, value: false },
    ],
    staticSummary: invoiceSummary(view),
    staticDetails: invoiceDetails(view),
  };
}

/** Starts the workflow of a newly created invoice (its contact loaded); without its stored reminder schedule the workflow fetches it. */
export async function startInvoiceWorkflow(
  deps: ServiceDeps,
  invoice: Invoice,
  plan: PlannedPayment[],
  tenant: { timeZone: string; name?: string },
  reminders?: StoredReminderSchedule,
): Promise<void> {
  const input = { ...workflowInputFor(invoice, plan, tenant.timeZone), ...(reminders ? { reminders } : {}) };
  await deps.temporal.workflow.start<typeof invoiceWorkflow>('invoiceWorkflow', {
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    workflowId: invoiceWorkflowId(input.invoiceId),
    args: [input],
    // A retried creation finds the workflow already running and leaves it alone.
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...(await startOptions(deps, { input, contactName: invoice.contact.name, paid: 0, due: invoice.total, status: 'open', tenantName: tenant.name })),
  });
}

/** The invoice row as it is now (a workflow that ended has written its last state there). */
const currentRow = (deps: ServiceDeps, invoice: Invoice) => deps.em.findOne(Invoice, { id: invoice.id }, { refresh: true });

/**
 * A manual payment as an Update: resolves once the workflow has persisted it (read-your-writes).
 * Rejections come back as the workflow's DomainErrors; no answer in time is a 503 to retry with the
 * same payment id.
 */
export async function applyPayment(deps: ServiceDeps, invoice: Invoice, payment: PaymentInput): Promise<ApplyPaymentResult> {
  const handle = deps.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  try {
    const deadline = Date.now() + UPDATE_TIMEOUT_MS;
    return await sendUpdate(deadline, () =>
      deps.temporal.withDeadline(deadline, () => handle.executeUpdate(applyPaymentUpdate, { args: [payment], updateId: `payment-${payment.paymentId}` })),
    );
  } catch (err) {
    const domain = fromFailure(err);
    if (domain) throw domain;
    if (err instanceof WorkflowNotFoundError || (err instanceof WorkflowUpdateFailedError && !isUnprocessedRejection(err))) {
      const current = await currentRow(deps, invoice);
      if (current?.status === 'void') throw invoiceVoidError();
      if (current?.status === 'paid') throw invoicePaidError();
    }
    throw new DomainError(
      'unavailable',
      'payment_pending',
      'the invoice workflow did not confirm the payment in time; retry with the same Idempotency-Key',
      { paymentId: payment.paymentId, cause: (err as Error).message },
      { cause: err },
    );
  }
}

/** Voids through the workflow (an Update, deduplicated per invoice). An ended workflow of a void invoice is success. */
export async function voidInvoiceWorkflow(deps: ServiceDeps, invoice: Invoice, reason: string | null): Promise<InvoiceSnapshot | null> {
  try {
    const handle = deps.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
    return await sendUpdate(Date.now() + UPDATE_TIMEOUT_MS, () => handle.executeUpdate(voidInvoiceUpdate, { args: [{ reason }], updateId: `void-${invoice.id}` }));
  } catch (err) {
    const domain = fromFailure(err);
    if (domain) throw domain;
    if (!(err instanceof WorkflowUpdateFailedError) && (await currentRow(deps, invoice))?.status === 'void') return null;
    throw err;
  }
}

/** The workflow did not answer in time (or Temporal is unreachable): the caller retries with its key. */
const pendingError = (what: string, err: unknown, details: Record<string, unknown>) =>
  new DomainError('unavailable', 'change_pending', `the invoice workflow did not confirm the ${what} in time; retry with the same Idempotency-Key`, { ...details, cause: (err as Error).message }, { cause: err });

/**
 * An Update the caller waits on. An invoice whose workflow has ended (void, or paid and past its
 * retention) gets a new run from its stored state in the same call (update-with-start), so a
 * correction months later still goes through the workflow that owns the balance.
 */
async function updateInvoice<Ret, Arg>(deps: ServiceDeps, invoice: Invoice, update: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId: string, what: string): Promise<Ret> {
  const workflowId = invoiceWorkflowId(invoice.id);
  const deadline = Date.now() + UPDATE_TIMEOUT_MS;
  try {
    return await sendUpdate(deadline, () => deps.temporal.withDeadline(deadline, () => deps.temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg], updateId })));
  } catch (err) {
    const domain = fromFailure(err);
    if (domain) throw domain;
    if (isUnprocessedRejection(err) || !(err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError)) throw pendingError(what, err, { updateId });
  }
  const { input, row } = await restartInputFor(deps, invoice);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof invoiceWorkflow>('invoiceWorkflow', {
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...(await startOptions(deps, { input, contactName: row.contact.name, paid: row.paid, due: row.due, status: row.status })),
  });
  try {
    return await deps.temporal.withDeadline(deadline, () => deps.temporal.workflow.executeUpdateWithStart(update, { args: [arg], updateId, startWorkflowOperation }));
  } catch (err) {
    throw fromFailure(err) ?? pendingError(what, err, { updateId });
  }
}

/** Takes a manual payment back off its invoice (deduplicated by payment id). */
export const voidPaymentOnInvoice = (deps: ServiceDeps, invoice: Invoice, v: VoidPaymentInput) => updateInvoice(deps, invoice, voidPaymentUpdate, v, `void-payment-${v.paymentId}`, 'void');

/** A write-off or a credit note (deduplicated by its id). */
export const adjustInvoice = (deps: ServiceDeps, invoice: Invoice, a: AdjustmentInput) => updateInvoice(deps, invoice, adjustInvoiceUpdate, a, `adjust-${a.adjustmentId}`, a.kind.replace('_', ' '));

/** Signals each message in order; an invoice whose workflow has ended gets a new run from its stored state. */
export async function signalInvoice(deps: ServiceDeps, invoice: Invoice, messages: InvoiceSignal[]): Promise<void> {
  const handle = deps.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  for (const message of messages) {
    const [signal, arg] = signalOf(message);
    try {
      await handle.signal(signal, arg);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The invoice workflow has ended (void, or paid long ago): start a new run from the stored state.
      const { input, row } = await restartInputFor(deps, invoice);
      await deps.temporal.workflow.signalWithStart<typeof invoiceWorkflow, [unknown]>('invoiceWorkflow', {
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        workflowId: invoiceWorkflowId(invoice.id),
        args: [input],
        signal,
        signalArgs: [arg],
        ...(await startOptions(deps, { input, contactName: row.contact.name, paid: row.paid, due: row.due, status: row.status })),
      });
    }
  }
}

/** Workflow input for a new run of an ended invoice workflow: definition from the rows, state carried from Postgres. */
async function restartInputFor(deps: ServiceDeps, invoice: Invoice): Promise<{ input: InvoiceWorkflowInput; row: Invoice }> {
  const { em } = deps;
  const row = await em.findOneOrFail(Invoice, { id: invoice.id }, { populate: ['contact'], refresh: true });
  const [tenant, plan, payments, reversals] = await Promise.all([
    em.findOneOrFail(Tenant, { id: row.tenant.id }),
    em.find(PlannedPayment, { invoice: row.id }, { orderBy: { seq: 'asc' } }),
    em.find(Payment, { tenant: row.tenant.id, $or: [{ invoice: row.id }, { contact: row.contact.id, invoice: null, source: 'stripe' }] }, { fields: ['id'] }),
    em.find(InvoiceEvent, { invoice: row.id, type: { $in: ['payment_reversed', 'reversal_failed', 'payment_voided', 'written_off', 'credit_note_issued'] } }),
  ]);
  const eventsOf = (type: string) => reversals.filter((e) => e.type === type);
  const input = workflowInputFor(row, plan, tenant.timeZone);
  const now = Date.now();
  const carried: InvoiceCarriedState = {
    paid: row.paid,
    pastDue: row.status === 'overdue',
    voided: row.status === 'void',
    version: row.stateVersion,
    applied: Object.fromEntries(payments.map((p) => [p.id, row.stateVersion])),
    reversed: Object.fromEntries(eventsOf('payment_reversed').map((e) => [String(e.data.reversalId), Number(e.data.amountReversed ?? e.data.amount ?? 0)])),
    firedInstallments: input.plan.filter((p) => p.at <= now).map((p) => p.id),
    paidAt: row.status === 'paid' ? row.updatedAt.getTime() : null,
    credited: row.credited,
    writtenOff: row.writtenOff,
    voidedPayments: Object.fromEntries(eventsOf('payment_voided').map((e) => [String(e.data.paymentId), Number(e.data.amount ?? 0)])),
    failedReversals: eventsOf('reversal_failed').map((e) => String(e.data.reversalId)),
    adjustments: [...eventsOf('written_off'), ...eventsOf('credit_note_issued')].map((e) => String(e.data.adjustmentId)),
  };
  return { input: { ...input, carried }, row };
}
