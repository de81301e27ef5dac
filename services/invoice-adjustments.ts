/**
 * Closing what is due without money, the way accountants do: a write-off (the whole remaining due,
 * uncollectable) and credit notes (lower the total before it is paid). Both go through the invoice's
 * workflow, which owns the balance; each is deduplicated by an id derived from the Idempotency-Key.
 */
import type { AdjustmentInput } from '../workflows/definitions';
import type { ServiceDeps, TenantContext } from './context';
import { getInvoice, withPlans, type InvoiceWithPlan } from './invoices';
import { adjustInvoice } from './invoice-workflow';

async function adjust(deps: ServiceDeps, tenant: TenantContext, invoiceId: string, adjustment: Omit<AdjustmentInput, 'by'>): Promise<InvoiceWithPlan> {
  const invoice = await getInvoice(deps, tenant, invoiceId);
  await adjustInvoice(deps, invoice, { ...adjustment, by: tenant.actor ?? null });
  await deps.em.refresh(invoice);
  const [withPlan] = await withPlans(deps, tenant, [invoice]);
  return withPlan;
}

export const writeOffInvoice = (deps: ServiceDeps, tenant: TenantContext, invoiceId: string, reason: string, adjustmentId: string) =>
  adjust(deps, tenant, invoiceId, { adjustmentId, kind: 'write_off', reason });

export const issueCreditNote = (deps: ServiceDeps, tenant: TenantContext, invoiceId: string, input: { amount: number; reason: string }, adjustmentId: string) =>
  adjust(deps, tenant, invoiceId, { adjustmentId, kind: 'credit_note', amount: input.amount, reason: input.reason });
