/**
 * How the persistInvoice activity writes a batch of the invoice workflow's changes. Normally one
 * transaction. When Postgres refuses the batch for good (its data, not its availability), the
 * writes are made one by one so everything storable is stored, the rest is reported to the
 * workflow, and the invoice is marked as needing attention — a retry could never succeed, and
 * retrying forever would stall the invoice.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { Invoice, InvoiceEvent, Payment } from '../db';
import { refusalReason } from '../db/failures';
import { moveCredit } from '../db/repositories/contact-credit';
import type { InvoiceEventWrite, PaymentVoidWrite, PaymentWrite, PersistInvoiceArgs, RefusedWrite } from '../workflows/definitions';

const paymentRow = (tenantId: string, p: PaymentWrite) => ({
  id: p.id,
  tenant: tenantId,
  contact: p.contactId,
  invoice: p.invoiceId,
  amount: p.amount,
  currency: p.currency,
  date: p.date,
  method: p.method,
  reference: p.reference,
  source: p.source,
  parentId: p.parentId ?? null,
  createdAt: p.acceptedAt === undefined ? new Date() : new Date(p.acceptedAt),
});

const eventRow = (tenantId: string, invoiceId: string, e: InvoiceEventWrite) => ({
  id: uuidv7(),
  tenant: tenantId,
  invoice: invoiceId,
  type: e.type,
  dedupeKey: e.dedupeKey,
  data: e.data,
  occurredAt: new Date(e.occurredAt),
});

/** Payment rows; money on no invoice (an overpayment's excess) is the contact's credit, in the same transaction. */
async function insertPayments(em: EntityManager, tenantId: string, payments: PaymentWrite[]): Promise<void> {
  if (payments.length === 0) return;
  await em.createQueryBuilder(Payment).insert(payments.map((p) => paymentRow(tenantId, p))).onConflict('id').ignore().execute();
  for (const p of payments) {
    if (p.invoiceId !== null) continue;
    await moveCredit(em, { tenantId, contactId: p.contactId, currency: p.currency, amount: p.amount, kind: 'unapplied_payment', ref: `payment:${p.id}`, paymentId: p.id });
  }
}

/**
 * Marks voided payments (once). A voided credit application gives the credit back to the contact in
 * the same transaction, so the money is never on both or on neither.
 */
async function markPaymentsVoided(em: EntityManager, tenantId: string, voids: PaymentVoidWrite[]): Promise<void> {
  for (const v of voids) {
    await em.nativeUpdate(Payment, { id: v.id, tenant: tenantId, voidedAt: null }, { voidedAt: new Date(v.voidedAt), voidReason: v.reason, voidedBy: v.voidedBy });
    const row = await em.findOne(Payment, { id: v.id, tenant: tenantId }, { fields: ['source', 'amount', 'currency', 'contact', 'invoice'], refresh: true });
    if (row?.source === 'credit') {
      await moveCredit(em, { tenantId, contactId: row.contact.id, currency: row.currency, amount: row.amount, kind: 'credit_returned', ref: `void:${v.id}`, paymentId: v.id, invoiceId: row.invoice?.id ?? null });
    }
  }
}

async function insertEvents(em: EntityManager, tenantId: string, invoiceId: string, events: InvoiceEventWrite[]): Promise<void> {
  if (events.length > 0) {
    await em.createQueryBuilder(InvoiceEvent).insert(events.map((e) => eventRow(tenantId, invoiceId, e))).onConflict(['invoice', 'dedupeKey']).ignore().execute();
  }
}

/** The invoice row moves forward only (by stateVersion); true when this write moved it. */
async function updateInvoiceRow(em: EntityManager, { tenantId, invoiceId, snapshot }: PersistInvoiceArgs): Promise<boolean> {
  const updated = await em.nativeUpdate(
    Invoice,
    { id: invoiceId, tenant: tenantId, stateVersion: { $lt: snapshot.version } },
    { paid: snapshot.paid, due: snapshot.due, credited: snapshot.credited ?? 0, writtenOff: snapshot.writtenOff ?? 0, status: snapshot.status, stateVersion: snapshot.version, updatedAt: new Date() },
  );
  // Zero rows is fine when a newer version is already stored; a missing row is not: fail and
  // retry rather than drop the write.
  if (updated === 0 && (await em.count(Invoice, { id: invoiceId, tenant: tenantId })) === 0) {
    throw new Error(`invoice ${invoiceId} of tenant ${tenantId} does not exist (yet)`);
  }
  return updated > 0;
}

/** The whole batch in one transaction: payments, the invoice row, the events. */
export function writeBatch(em: EntityManager, args: PersistInvoiceArgs): Promise<boolean> {
  return em.transactional(async (tx) => {
    await insertPayments(tx, args.tenantId, args.payments);
    await markPaymentsVoided(tx, args.tenantId, args.paymentVoids ?? []);
    const moved = await updateInvoiceRow(tx, args);
    await insertEvents(tx, args.tenantId, args.invoiceId, args.events);
    return moved;
  });
}

/**
 * After Postgres refused the batch: the invoice row (numbers only), then each payment and event on
 * its own; what is refused again is listed, recorded on the invoice and in its history.
 */
export async function salvageBatch(em: EntityManager, args: PersistInvoiceArgs, batchError: unknown): Promise<{ moved: boolean; refused: RefusedWrite[] }> {
  const { tenantId, invoiceId } = args;
  const refused: RefusedWrite[] = [];
  for (const p of args.payments) {
    await insertPayments(em, tenantId, [p]).catch((err) => refused.push({ kind: 'payment', id: p.id, reason: refusalReason(err) }));
  }
  await markPaymentsVoided(em, tenantId, args.paymentVoids ?? []);
  const moved = await updateInvoiceRow(em, args);
  for (const e of args.events) {
    await insertEvents(em, tenantId, invoiceId, [e]).catch((err) => refused.push({ kind: 'event', id: e.dedupeKey, reason: refusalReason(err) }));
  }
  if (refused.length === 0) refused.push({ kind: 'batch', id: `version:${args.snapshot.version}`, reason: refusalReason(batchError) });
  const reason = refused.map((r) => `${r.kind} ${r.id}: ${r.reason}`).join('; ').slice(0, 2000);
  await em.nativeUpdate(Invoice, { id: invoiceId, tenant: tenantId }, { attentionReason: reason, attentionAt: new Date() });
  await insertEvents(em, tenantId, invoiceId, [
    { type: 'attention_needed', dedupeKey: `attention:${args.snapshot.version}`, data: { version: args.snapshot.version, refused }, occurredAt: Date.now() },
  ]);
  return { moved, refused };
}
