/**
 * One movement of money across invoice workflows, run as a saga (id `movement-<movement id>`):
 * a payment allocated across several invoices of a contact, or the contact's credit applied to an
 * invoice. Each step is an idempotent activity (keyed by the part's payment id or a ledger ref), so
 * a worker killed between steps resumes where it stopped; a refusal undoes the parts that landed,
 * newest first, so either every allocation lands or none does.
 */
import { ApplicationFailure } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { MoneyMovementActivities } from '../activities/money-movements';
import type { MoneyMovementInput, MoneyMovementResult } from './definitions';
import { fromFailure } from './failures';

// Outages (Postgres, Temporal, a slow invoice workflow) are retried until they pass; refusals are not retryable.
const steps = wf.proxyActivities<MoneyMovementActivities>({
  startToCloseTimeout: '45 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export async function moneyMovementWorkflow(input: MoneyMovementInput): Promise<MoneyMovementResult> {
  const { tenantId, movementId, contactId, currency, source } = input;
  const landed: MoneyMovementInput['parts'] = [];
  const fromCredit = source.kind === 'credit';
  // How each part is recorded on its invoice: as the payment's part, or as credit applied.
  const how =
    source.kind === 'payment'
      ? { date: source.payment.date, method: source.payment.method, reference: source.payment.reference, source: 'manual' as const, parentId: movementId }
      : { date: source.date, method: 'credit' as const, reference: null, source: 'credit' as const, parentId: null };
  if (source.kind === 'payment') await steps.recordParentPayment({ tenantId, movementId, contactId, currency, ...source.payment });

  for (const [index, part] of input.parts.entries()) {
    const ref = { tenantId, contactId, currency, amount: part.amount, paymentId: part.paymentId, invoiceId: part.invoiceId };
    try {
      if (fromCredit) await steps.debitCredit(ref);
      await steps.applyPart({ ...ref, ...how });
      landed.push(part);
    } catch (err) {
      const refusal = fromFailure(err);
      if (!refusal) throw err;
      // This part never landed: its credit goes back; the parts before it are voided, newest first
      // (a voided credit part returns its credit in the invoice's own write).
      if (fromCredit && refusal.code !== 'insufficient_credit') await steps.releaseCredit(ref);
      const reason = `undone: the allocation to invoice ${part.invoiceId} was refused (${refusal.code})`;
      for (const done of [...landed].reverse()) await steps.voidPart({ tenantId, invoiceId: done.invoiceId, paymentId: done.paymentId, amount: done.amount, reason });
      if (source.kind === 'payment') await steps.voidParentPayment({ tenantId, movementId, reason });
      throw ApplicationFailure.create({
        type: `${refusal.kind}:${refusal.code}`,
        message: input.parts.length > 1 ? `allocation ${index + 1} (invoice ${part.invoiceId}) was refused: ${refusal.message}; nothing was applied` : refusal.message,
        details: [{ ...refusal.details, invoiceId: part.invoiceId, allocation: index, undone: landed.length }],
        nonRetryable: true,
      });
    }
  }
  if (source.kind === 'payment' && input.remainder) {
    await steps.recordRemainder({ tenantId, contactId, currency, parentId: movementId, ...source.payment, paymentId: input.remainder.paymentId, amount: input.remainder.amount });
  }
  return { movementId, parts: landed, remainder: input.remainder?.amount ?? 0 };
}
