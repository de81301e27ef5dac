/**
 * The one door to the invoice workflow. Starting it (with its search attributes), sending it an
 * Update and mapping the failures, and "signal it, or start a new run from the stored state if it
 * has ended" live here, so a new message touches the workflow, its definitions and this file.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { SignalDefinition, TypedSearchAttributes } from '@temporalio/common';
import { Invoice, InvoiceEvent, Payment, PlannedPayment, Tenant } from '../db';
import { overdueInstant, zonedInstant } from '../domain/dates';
import { DomainError } from '../domain/errors';
import { invoicePaidError, invoiceVoidError, type InvoiceStatus } from '../domain/invoice';
import {
  applyPaymentUpdate,
  invoiceWorkflowId,
  paymentReceivedSignal,
  paymentReversedSignal,
  SearchAttr,
  voidInvoiceUpdate,
  type ApplyPaymentResult,
  type InvoiceCarriedState,
  type InvoiceSnapshot,
  type InvoiceWorkflowInput,
  type PaymentInput,
  type ReversalInput,
} from '../workflows/definitions';
import { fromFailure } from '../workflows/failures';
import type { invoiceWorkflow } from '../workflows/invoice';
import type { ServiceDeps } from './context';

/** How long an API call waits for the workflow before answering 503 (the client retries with its key). */
export const UPDATE_TIMEOUT_MS = 10_000;

/** A message that never waits for an answer: Stripe payments and reversals. */
export type InvoiceSignal = { kind: 'payment'; payment: PaymentInput } | { kind: 'reversal'; reversal: ReversalInput };

const searchAttributes = (a: { tenantId: string; number: string; status: InvoiceStatus; contactId: string }): TypedSearchAttributes['searchAttributes'] => [
  { key: SearchAttr.tenantId, value: a.tenantId },
  { key: SearchAttr.invoiceNumber, value: a.number },
  { key: SearchAttr.status, value: a.status },
  { key: SearchAttr.contactId, value: a.contactId },
];

export function workflowInputFor(invoice: Invoice, plan: PlannedPayment[], timeZone: string): InvoiceWorkflowInput {
  return {
    invoiceId: invoice.id,
    tenantId: invoice.tenant.id,
    contactId: invoice.contact.id,
    number: invoice.number,
    currency: invoice.currency,
    total: invoice.total,
    dueDate: invoice.dueDate,
    overdueAt: overdueInstant(invoice.dueDate, timeZone),
    plan: plan.map((p) => ({ id: p.id, amount: p.amount, date: p.date, at: zonedInstant(p.date, timeZone) })),
  };
}

export async function startInvoiceWorkflow(deps: ServiceDeps, input: InvoiceWorkflowInput): Promise<void> {
  await deps.temporal.workflow.start<typeof invoiceWorkflow>('invoiceWorkflow', {
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    workflowId: invoiceWorkflowId(input.invoiceId),
    args: [input],
    // A retried creation finds the workflow already running and leaves it alone.
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: searchAttributes({ ...input, status: 'open' }),
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
    return await deps.temporal.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () =>
      handle.executeUpdate(applyPaymentUpdate, { args: [payment], updateId: `payment-${payment.paymentId}` }),
    );
  } catch (err) {
    const domain = fromFailure(err);
    if (domain) throw domain;
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) {
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
    return await deps.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id)).executeUpdate(voidInvoiceUpdate, { args: [{ reason }], updateId: `void-${invoice.id}` });
  } catch (err) {
    const domain = fromFailure(err);
    if (domain) throw domain;
    if (!(err instanceof WorkflowUpdateFailedError) && (await currentRow(deps, invoice))?.status === 'void') return null;
    throw err;
  }
}

/** Signals each message in order; an invoice whose workflow has ended gets a new run from its stored state. */
export async function signalInvoice(deps: ServiceDeps, invoice: Invoice, messages: InvoiceSignal[]): Promise<void> {
  const handle = deps.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  for (const message of messages) {
    const [signal, arg] = (message.kind === 'payment' ? [paymentReceivedSignal, message.payment] : [paymentReversedSignal, message.reversal]) as [SignalDefinition<[unknown]>, unknown];
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
        typedSearchAttributes: searchAttributes({ tenantId: row.tenant.id, number: row.number, status: row.status, contactId: row.contact.id }),
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
    em.find(InvoiceEvent, { invoice: row.id, type: 'payment_reversed' }),
  ]);
  const input = workflowInputFor(row, plan, tenant.timeZone);
  const now = Date.now();
  const carried: InvoiceCarriedState = {
    paid: row.paid,
    pastDue: row.status === 'overdue',
    voided: row.status === 'void',
    version: row.stateVersion,
    applied: Object.fromEntries(payments.map((p) => [p.id, row.stateVersion])),
    reversed: Object.fromEntries(reversals.map((e) => [String(e.data.reversalId), Number(e.data.amountReversed ?? e.data.amount ?? 0)])),
    firedInstallments: input.plan.filter((p) => p.at <= now).map((p) => p.id),
    paidAt: row.status === 'paid' ? row.updatedAt.getTime() : null,
  };
  return { input: { ...input, carried }, row };
}
