/**
 * Starts a money movement saga (workflows/money-movement.ts) and waits for its outcome. The
 * movement id derives from the Idempotency-Key, so a retry attaches to the same saga (running or
 * finished) instead of moving the money again. Plain refusals are found before anything moves: the
 * invoices are the contact's, in its currency, and each allocation fits what is due.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { v5 as uuidv5 } from 'uuid';
import { Contact, Invoice } from '../db';
import { creditBalances, insufficientCreditError } from '../db/repositories/contact-credit';
import { conflict, DomainError, notFound, validationError } from '../domain/errors';
import { currencyMismatchError, invoicePaidError, invoiceVoidError } from '../domain/invoice';
import { sumAmounts } from '../domain/money';
import { fromFailure } from '../workflows/failures';
import { moneyMovementWorkflowId, type MoneyMovementInput, type MoneyMovementResult, type MovementPayment } from '../workflows/definitions';
import type { moneyMovementWorkflow } from '../workflows/money-movement';
import type { ServiceDeps, TenantContext } from './context';
import { UPDATE_TIMEOUT_MS } from './invoice-workflow';

const PART_NAMESPACE = '3f0c9a7e-5d21-4c8b-9e6f-1a2b3c4d5e6f';
/** A part's payment id: stable for the movement and its position. */
export const partPaymentId = (movementId: string, key: string) => uuidv5(`${movementId}:${key}`, PART_NAMESPACE);

export interface AllocationInput {
  invoiceId: string;
  amount: number;
}

/** The invoice rules' own refusal, its details also naming the allocation it is about. */
const naming = (err: DomainError, at: Record<string, unknown>) => new DomainError(err.kind, err.code, err.message, { ...err.details, ...at });

/** Checks the allocations against the read model; the saga still handles a race the check could not see. */
async function checkedParts(deps: ServiceDeps, tenant: TenantContext, contactId: string, currency: string, movementId: string, allocations: AllocationInput[]) {
  const ids = allocations.map((a) => a.invoiceId);
  if (new Set(ids).size !== ids.length) throw validationError('duplicate_allocation', 'each invoice may appear once in allocations', { invoiceIds: ids });
  const invoices = await deps.em.find(Invoice, { id: { $in: ids }, tenant: tenant.id }, { refresh: true });
  return allocations.map((a, i) => {
    const invoice = invoices.find((x) => x.id === a.invoiceId);
    if (!invoice) throw notFound('invoice', a.invoiceId);
    const at = { allocation: i, invoiceId: a.invoiceId };
    if (invoice.contact.id !== contactId) throw conflict('contact_mismatch', `invoice ${invoice.number} belongs to another contact`, at);
    if (invoice.currency !== currency) throw naming(currencyMismatchError(currency, invoice.currency), at);
    if (invoice.status === 'void') throw naming(invoiceVoidError(), at);
    if (invoice.status === 'paid') throw naming(invoicePaidError(), at);
    if (a.amount > invoice.due) throw conflict('overpayment', `allocation ${i + 1} of ${a.amount} exceeds the amount due of ${invoice.due} on invoice ${invoice.number}`, { ...at, due: invoice.due, amount: a.amount });
    return { invoiceId: a.invoiceId, paymentId: partPaymentId(movementId, a.invoiceId), amount: a.amount };
  });
}

/** Waits for the saga's outcome; a refusal comes back as its DomainError (nothing applied), no answer in time as a 503. */
async function outcomeOf(deps: ServiceDeps, movementId: string, started: () => Promise<unknown>): Promise<MoneyMovementResult> {
  return deps.temporal.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, async () => {
    try {
      await started();
      return await deps.temporal.workflow.getHandle<typeof moneyMovementWorkflow>(moneyMovementWorkflowId(movementId)).result();
    } catch (err) {
      const refusal = fromFailure(err);
      if (refusal) throw refusal;
      throw new DomainError('unavailable', 'change_pending', 'the money movement did not finish in time; it goes on by itself: retry with the same Idempotency-Key for its outcome', { movementId, cause: (err as Error).message }, { cause: err });
    }
  });
}

/** Runs the saga to its end, or attaches to the one this movement id already started. */
function runMovement(deps: ServiceDeps, input: MoneyMovementInput): Promise<MoneyMovementResult> {
  return outcomeOf(deps, input.movementId, async () => {
    try {
      await deps.temporal.workflow.start<typeof moneyMovementWorkflow>('moneyMovementWorkflow', {
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        workflowId: moneyMovementWorkflowId(input.movementId),
        args: [input],
        // A retry of a finished movement gets its outcome, never a second run.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Move ${sumAmounts(input.parts.map((p) => p.amount)) + (input.remainder?.amount ?? 0)} ${input.currency} (${input.source.kind}) to ${input.parts.length} invoice(s)`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  });
}

/** The outcome of a movement already started (a retry whose first attempt got as far as the saga). */
export const movementOutcome = (deps: ServiceDeps, movementId: string) => outcomeOf(deps, movementId, async () => undefined);

/** One payment of a contact across several of its invoices; what is left becomes the contact's credit. */
export async function allocatePayment(deps: ServiceDeps, tenant: TenantContext, movementId: string, contactId: string, currency: string, payment: MovementPayment, allocations: AllocationInput[]): Promise<MoneyMovementResult> {
  const contact = await deps.em.findOne(Contact, { id: contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', contactId);
  const allocated = sumAmounts(allocations.map((a) => a.amount));
  if (allocated > payment.amount) throw validationError('allocations_exceed_amount', `the allocations add up to ${allocated}, more than the payment of ${payment.amount}`, { allocated, amount: payment.amount });
  const parts = await checkedParts(deps, tenant, contactId, currency, movementId, allocations);
  const rest = payment.amount - allocated;
  return runMovement(deps, {
    tenantId: tenant.id,
    movementId,
    contactId,
    currency,
    source: { kind: 'payment', payment },
    parts,
    remainder: rest > 0 ? { paymentId: partPaymentId(movementId, 'remainder'), amount: rest } : null,
  });
}

/** Moves `amount` of the contact's credit onto one of its invoices (the credit is spent once, whatever races it). */
export async function applyCreditToInvoice(deps: ServiceDeps, tenant: TenantContext, movementId: string, invoice: Invoice, amount: number, date: string): Promise<MoneyMovementResult> {
  const parts = await checkedParts(deps, tenant, invoice.contact.id, invoice.currency, movementId, [{ invoiceId: invoice.id, amount }]);
  const [balance] = await creditBalances(deps.em, tenant.id, invoice.contact.id, invoice.currency);
  if ((balance?.balance ?? 0) < amount) throw insufficientCreditError(invoice.currency, amount, balance?.balance ?? 0);
  return runMovement(deps, { tenantId: tenant.id, movementId, contactId: invoice.contact.id, currency: invoice.currency, source: { kind: 'credit', date }, parts, remainder: null });
}
