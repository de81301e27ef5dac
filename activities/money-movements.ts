/**
 * The steps of a money movement saga (workflows/money-movement.ts). Each is idempotent: payment rows
 * and ledger entries are keyed, and the invoice workflow dedupes payments and voids by payment id.
 * A refusal (a DomainError) fails the step for good; anything else (an outage) is retried.
 */
import { moveCredit } from '../db/repositories/contact-credit';
import { insertPayment } from '../db/repositories/payments';
import { Invoice, Payment } from '../db';
import { DomainError } from '../domain/errors';
import type { PaymentMethod, PaymentSource } from '../domain/payment';
import { scopeOf, type ProcessDeps, type ServiceDeps } from '../services/context';
import { applyPayment, voidPaymentOnInvoice } from '../services/invoice-workflow';
import { toFailure } from '../workflows/failures';
import type { MovementPayment } from '../workflows/definitions';

interface PartRef {
  tenantId: string;
  contactId: string;
  currency: string;
  amount: number;
  paymentId: string;
  invoiceId: string;
}

/** A refusal ends the saga's step for good; an unavailable dependency is retried by Temporal. */
async function refusalsFinal<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof DomainError && err.kind !== 'unavailable') throw toFailure(err);
    throw err;
  }
}

export function createMoneyMovementActivities(process: ProcessDeps | undefined) {
  const scope = (): ServiceDeps => {
    if (!process) throw new Error('this worker was started without a Temporal client for money movements');
    return scopeOf(process);
  };
  const invoiceOf = (deps: ServiceDeps, tenantId: string, invoiceId: string) => deps.em.findOneOrFail(Invoice, { id: invoiceId, tenant: tenantId }, { populate: ['contact'] });

  return {
    /** The payment as the customer made it; its money is in its parts. */
    async recordParentPayment(a: { tenantId: string; movementId: string; contactId: string; currency: string } & MovementPayment): Promise<void> {
      const { em } = scope();
      await insertPayment(em, { id: a.movementId, tenantId: a.tenantId, contactId: a.contactId, invoiceId: null, amount: a.amount, currency: a.currency, date: a.date, method: a.method, reference: a.reference, source: 'manual', allocated: true });
    },
    async voidParentPayment(a: { tenantId: string; movementId: string; reason: string }): Promise<void> {
      const { em } = scope();
      await em.nativeUpdate(Payment, { id: a.movementId, tenant: a.tenantId, voidedAt: null }, { voidedAt: new Date(), voidReason: a.reason, voidedBy: 'allocation' });
    },
    async debitCredit(p: PartRef): Promise<void> {
      const { em } = scope();
      await refusalsFinal(() => moveCredit(em, { ...p, amount: -p.amount, kind: 'applied_to_invoice', ref: `apply:${p.paymentId}` }));
    },
    async releaseCredit(p: PartRef): Promise<void> {
      const { em } = scope();
      await moveCredit(em, { ...p, kind: 'application_released', ref: `release:${p.paymentId}` });
    },
    async applyPart(p: PartRef & { parentId: string | null; date: string; method: PaymentMethod; reference: string | null; source: PaymentSource }): Promise<{ duplicate: boolean }> {
      const deps = scope();
      return refusalsFinal(async () => {
        const invoice = await invoiceOf(deps, p.tenantId, p.invoiceId);
        const result = await applyPayment(deps, invoice, {
          paymentId: p.paymentId,
          contactId: p.contactId,
          amount: p.amount,
          currency: p.currency,
          date: p.date,
          method: p.method,
          reference: p.reference,
          source: p.source,
          parentId: p.parentId,
        });
        return { duplicate: result.duplicate };
      });
    },
    async voidPart(p: { tenantId: string; invoiceId: string; paymentId: string; amount: number; reason: string }): Promise<void> {
      const deps = scope();
      await refusalsFinal(async () => voidPaymentOnInvoice(deps, await invoiceOf(deps, p.tenantId, p.invoiceId), { paymentId: p.paymentId, amount: p.amount, reason: p.reason, voidedBy: 'allocation' }));
    },
    /** What the allocations left: a part on no invoice, and the contact's credit, in one transaction. */
    async recordRemainder(a: { tenantId: string; contactId: string; currency: string; parentId: string; paymentId: string } & MovementPayment): Promise<void> {
      const { em } = scope();
      await em.transactional(async (tx) => {
        await insertPayment(tx, { id: a.paymentId, tenantId: a.tenantId, contactId: a.contactId, invoiceId: null, amount: a.amount, currency: a.currency, date: a.date, method: a.method, reference: a.reference, source: 'manual', parentId: a.parentId });
        await moveCredit(tx, { tenantId: a.tenantId, contactId: a.contactId, currency: a.currency, amount: a.amount, kind: 'unapplied_payment', ref: `payment:${a.paymentId}`, paymentId: a.paymentId });
      });
    },
  };
}

export type MoneyMovementActivities = ReturnType<typeof createMoneyMovementActivities>;
