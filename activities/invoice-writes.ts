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
import { moveCredit, takeBackCredit } from '../db/repositories/contact-credit';
import { DomainError } from '../domain/errors';
import { eventKey, type InvoiceEventWrite, type PaymentVoidWrite, type PaymentWrite, type PersistInvoiceArgs, type ReconcileWrite, type RefusedWrite } from '../workflows/definitions';

/**
 * A batch's payments and events go to Postgres as one jsonb array parameter each, read back as rows
 * of the table's columns (jsonb_to_recordset), so every batch inserts them with the same statements
 * whatever its size, and the usual batch can write them in the statement that moves the invoice row.
 */
const PAYMENT_COLUMNS = ['id', 'tenant_id', 'contact_id', 'invoice_id', 'amount', 'currency', 'date', 'method', 'reference', 'source', 'parent_id', 'created_at'];
const PAYMENT_RECORDS = `jsonb_to_recordset(?::jsonb) as p(id uuid, tenant_id uuid, contact_id uuid, invoice_id uuid, amount bigint, currency text, date date,
  method text, reference text, source text, parent_id uuid, created_at timestamptz)`;
const EVENT_COLUMNS = ['id', 'tenant_id', 'invoice_id', 'type', 'dedupe_key', 'data', 'occurred_at'];
const EVENT_RECORDS = `jsonb_to_recordset(?::jsonb) as e(id uuid, tenant_id uuid, invoice_id uuid, type text, dedupe_key text, data jsonb, occurred_at timestamptz)`;

/** INSERT of the payment rows in `from` (PAYMENT_RECORDS, maybe joined); a payment stored already stays as it is. */
const insertPaymentsSql = (from: string) =>
  `insert into payments (${PAYMENT_COLUMNS.join(', ')}) select ${PAYMENT_COLUMNS.map((c) => `p.${c}`).join(', ')} from ${from} on conflict (id) do nothing`;
/** INSERT of the event rows in `from` (EVENT_RECORDS, maybe joined); an event is stored once per invoice and dedupe key. */
const insertEventsSql = (from: string) =>
  `insert into invoice_events (${EVENT_COLUMNS.join(', ')}) select ${EVENT_COLUMNS.map((c) => `e.${c}`).join(', ')} from ${from} on conflict (invoice_id, dedupe_key) do nothing`;

const paymentRecords = (tenantId: string, payments: PaymentWrite[]) =>
  JSON.stringify(
    payments.map((p) => ({
      id: p.id,
      tenant_id: tenantId,
      contact_id: p.contactId,
      invoice_id: p.invoiceId,
      amount: p.amount,
      currency: p.currency,
      date: p.date,
      method: p.method,
      reference: p.reference,
      source: p.source,
      parent_id: p.parentId ?? null,
      created_at: (p.acceptedAt === undefined ? new Date() : new Date(p.acceptedAt)).toISOString(),
    })),
  );

const eventRecords = (tenantId: string, invoiceId: string, events: InvoiceEventWrite[]) =>
  JSON.stringify(
    events.map((e) => ({ id: uuidv7(), tenant_id: tenantId, invoice_id: invoiceId, type: e.type, dedupe_key: e.dedupeKey, data: e.data, occurred_at: new Date(e.occurredAt).toISOString() })),
  );

/** Money on no invoice (an overpayment's excess) is the contact's credit, in the payment's transaction. */
async function creditUnapplied(em: EntityManager, tenantId: string, payments: PaymentWrite[]): Promise<void> {
  for (const p of payments) {
    if (p.invoiceId !== null) continue;
    await moveCredit(em, { tenantId, contactId: p.contactId, currency: p.currency, amount: p.amount, kind: 'unapplied_payment', ref: `payment:${p.id}`, paymentId: p.id });
  }
}

/** Payment rows, and the credit of those on no invoice, in the same transaction. */
async function insertPayments(em: EntityManager, tenantId: string, payments: PaymentWrite[]): Promise<void> {
  if (payments.length === 0) return;
  await em.execute(insertPaymentsSql(PAYMENT_RECORDS), [paymentRecords(tenantId, payments)], 'run');
  await creditUnapplied(em, tenantId, payments);
}

/** The credit movement a voided credit payment gives back to its contact. */
const voidCreditRef = (paymentId: string) => `void:${paymentId}`;

/**
 * Marks voided payments (once). A voided credit application gives the credit back to the contact in
 * the same transaction, so the money is never on both or on neither.
 */
async function markPaymentsVoided(em: EntityManager, tenantId: string, voids: PaymentVoidWrite[]): Promise<void> {
  for (const v of voids) {
    await em.nativeUpdate(Payment, { id: v.id, tenant: tenantId, voidedAt: null }, { voidedAt: new Date(v.voidedAt), voidReason: v.reason, voidedBy: v.voidedBy });
    const row = await em.findOne(Payment, { id: v.id, tenant: tenantId }, { fields: ['source', 'amount', 'currency', 'contact', 'invoice'], refresh: true });
    if (row?.source === 'credit') {
      await moveCredit(em, { tenantId, contactId: row.contact.id, currency: row.currency, amount: row.amount, kind: 'credit_returned', ref: voidCreditRef(v.id), paymentId: v.id, invoiceId: row.invoice?.id ?? null });
    }
  }
}

async function insertEvents(em: EntityManager, tenantId: string, invoiceId: string, events: InvoiceEventWrite[]): Promise<void> {
  if (events.length > 0) await em.execute(insertEventsSql(EVENT_RECORDS), [eventRecords(tenantId, invoiceId, events)], 'run');
}

/** The stored invoice row is ahead of the batch's basis: nothing of the batch is written (rolled back). */
class StoredAhead extends Error {
  constructor(readonly storedVersion: number) {
    super(`stored version ${storedVersion} is ahead of the workflow's`);
  }
}

/**
 * Which row the batch may update. A regular activity batch moves the row forward only (by
 * stateVersion). A local activity batch (with `basis`) applies only while the row is at the
 * version the workflow knows is stored, and a reconciling one always: the workflow's state wins.
 */
function rowFilter({ tenantId, invoiceId, snapshot, basis, reconcile }: PersistInvoiceArgs) {
  // Unless the row already is the snapshot (a re-run of the batch that wrote it): that changes nothing.
  if (reconcile) {
    const { paid, due, status, version, credited = 0, writtenOff = 0 } = snapshot;
    return { id: invoiceId, tenant: tenantId, $or: [{ stateVersion: { $ne: version } }, { paid: { $ne: paid } }, { due: { $ne: due } }, { status: { $ne: status } }, { credited: { $ne: credited } }, { writtenOff: { $ne: writtenOff } }] };
  }
  if (basis !== undefined) return { id: invoiceId, tenant: tenantId, stateVersion: { $lte: basis } };
  return { id: invoiceId, tenant: tenantId, stateVersion: { $lt: snapshot.version } };
}

/** The invoice row's fence, locked until the batch's transaction ends (so fenced writers take turns). */
async function lockedFence(em: EntityManager, { tenantId, invoiceId }: PersistInvoiceArgs): Promise<number> {
  const [row] = await em.execute<{ persist_fence: string }[]>(`select persist_fence from invoices where id = ? and tenant_id = ? for update`, [invoiceId, tenantId]);
  if (!row) throw new Error(`invoice ${invoiceId} of tenant ${tenantId} does not exist (yet)`);
  return Number(row.persist_fence);
}

/** Updates the invoice row; true when this write moved it. */
async function updateInvoiceRow(em: EntityManager, args: PersistInvoiceArgs): Promise<boolean> {
  const { tenantId, invoiceId, snapshot } = args;
  const updated = await em.nativeUpdate(Invoice, rowFilter(args), {
    paid: snapshot.paid,
    due: snapshot.due,
    credited: snapshot.credited ?? 0,
    writtenOff: snapshot.writtenOff ?? 0,
    status: snapshot.status,
    stateVersion: snapshot.version,
    updatedAt: new Date(),
  });
  if (updated > 0) {
    if (args.fence !== undefined) await em.execute(`update invoices set persist_fence = ? where id = ? and tenant_id = ?`, [args.fence, invoiceId, tenantId]);
    return true;
  }
  // Zero rows is fine when a newer version is already stored by a regular activity (a late retry);
  // a missing row is not: fail and retry rather than drop the write.
  const row = await em.findOne(Invoice, { id: invoiceId, tenant: tenantId }, { fields: ['stateVersion'], refresh: true });
  if (!row) throw new Error(`invoice ${invoiceId} of tenant ${tenantId} does not exist (yet)`);
  if (args.basis !== undefined && !args.reconcile) throw new StoredAhead(row.stateVersion);
  return false;
}

/** Nothing was written: a newer workflow task wrote the row (its fence). */
class Superseded extends Error {
  constructor(readonly fence: number) {
    super(`a newer workflow task (fence ${fence}) wrote the row`);
  }
}

/**
 * The usual local activity batch (fenced, not reconciling), in one statement: the invoice row moves
 * only from the batch's basis and fence (and takes the fence), and the batch's payments and events
 * are inserted only when it moved. One statement is one transaction and one round trip; when the row
 * does not move, nothing is written and the reason is thrown.
 */
async function moveFencedBatch(em: EntityManager, { tenantId, invoiceId, snapshot, basis = 0, fence = 0, payments, events }: PersistInvoiceArgs): Promise<void> {
  const [{ moved }] = await em.execute<{ moved: boolean }[]>(
    `with moved as (
       update invoices set paid = ?, due = ?, credited = ?, written_off = ?, status = ?, state_version = ?, updated_at = ?, persist_fence = ?
        where id = ? and tenant_id = ? and state_version <= ? and persist_fence <= ?
        returning id),
     payment_rows as (${insertPaymentsSql(`moved, ${PAYMENT_RECORDS}`)}),
     event_rows as (${insertEventsSql(`moved, ${EVENT_RECORDS}`)})
     select exists (select 1 from moved) as moved`,
    [
      ...[snapshot.paid, snapshot.due, snapshot.credited ?? 0, snapshot.writtenOff ?? 0, snapshot.status, snapshot.version, new Date(), fence],
      ...[invoiceId, tenantId, basis, fence],
      paymentRecords(tenantId, payments),
      eventRecords(tenantId, invoiceId, events),
    ],
  );
  if (moved) return;
  const [row] = await em.execute<{ state_version: number; persist_fence: string }[]>(`select state_version, persist_fence from invoices where id = ? and tenant_id = ?`, [invoiceId, tenantId]);
  if (!row) throw new Error(`invoice ${invoiceId} of tenant ${tenantId} does not exist (yet)`);
  if (Number(row.persist_fence) > fence) throw new Superseded(Number(row.persist_fence));
  throw new StoredAhead(row.state_version);
}

/** Version-keyed events a write of versions (basis, stored] may have left (see `transition` in the workflow). */
const versionKeys = (basis: number, stored: number) =>
  Array.from({ length: Math.min(Math.max(0, stored - basis), 1000) }, (_, i) => basis + 1 + i).flatMap((v) => [`paid:${v}`, `overdue:${v}`, `reopened:${v}`, `attention:${v}`]);


/**
 * A write the workflow never recorded is in Postgres (its workflow task failed after the local
 * activity committed, and the server never delivered the Update again): payments on the invoice
 * that the workflow did not accept go, with their events and the events keyed by the versions it
 * wrote; so do a void of a payment it never voided (the payment stands again; the credit a credit
 * payment's void gave back is taken back, or reported when already spent), the events of
 * adjustments it never made and of an invoice void it never did. The batch then writes the
 * workflow's state over the row (its paid, due, credited and written-off figures).
 */
async function undoUnrecorded(em: EntityManager, { tenantId, invoiceId, basis = 0, reconcile, events }: PersistInvoiceArgs & { reconcile: ReconcileWrite }): Promise<{ dropped: string[]; refused: RefusedWrite[] }> {
  const accepted = new Set(reconcile.paymentIds);
  const rows = await em.find(Payment, { tenant: tenantId, invoice: invoiceId }, { fields: ['id', 'voidedAt', 'source'] });
  const unaccepted = rows.map((r) => r.id).filter((id) => !accepted.has(id));
  const voided = reconcile.voidedPaymentIds && new Set(reconcile.voidedPaymentIds);
  const unrecordedVoids = voided ? rows.filter((r) => accepted.has(r.id) && r.voidedAt && !voided.has(r.id)) : [];
  const adjustments = reconcile.adjustmentIds && new Set(reconcile.adjustmentIds.flatMap((id) => [eventKey.writtenOff(id), eventKey.creditNote(id)]));
  const adjustmentEvents = adjustments ? await em.find(InvoiceEvent, { tenant: tenantId, invoice: invoiceId, type: { $in: ['written_off', 'credit_note_issued'] } }, { fields: ['dedupeKey'] }) : [];
  // The batch's own events stay (a re-run of the same batch leaves its rows as they are).
  const own = new Set(events.map((e) => e.dedupeKey));
  const keys = [
    ...unaccepted.map(eventKey.payment),
    ...unrecordedVoids.map((r) => eventKey.paymentVoided(r.id)),
    ...adjustmentEvents.map((e) => e.dedupeKey).filter((k) => !adjustments!.has(k)),
    ...(reconcile.invoiceVoided === false ? [eventKey.voided] : []),
    ...versionKeys(basis, reconcile.storedVersion),
  ].filter((k) => !own.has(k));
  if (keys.length > 0) await em.nativeDelete(InvoiceEvent, { tenant: tenantId, invoice: invoiceId, dedupeKey: { $in: keys } });
  if (unaccepted.length > 0) await em.nativeDelete(Payment, { tenant: tenantId, id: { $in: unaccepted } });
  const refused: RefusedWrite[] = [];
  if (unrecordedVoids.length > 0) {
    await em.nativeUpdate(Payment, { tenant: tenantId, id: { $in: unrecordedVoids.map((r) => r.id) } }, { voidedAt: null, voidReason: null, voidedBy: null });
    for (const r of unrecordedVoids.filter((v) => v.source === 'credit')) {
      const ref = voidCreditRef(r.id);
      // In a savepoint: refused, the rest of the batch still goes in, and the invoice is flagged.
      await em.transactional((tx) => takeBackCredit(tx, tenantId, ref)).catch((err) => {
        if (!(err instanceof DomainError)) throw err;
        refused.push({ kind: 'credit', id: ref, reason: err.message });
      });
    }
  }
  return { dropped: unaccepted, refused };
}

/** What `writeBatch` did. */
export interface BatchOutcome {
  /** The invoice row was updated. */
  moved: boolean;
  /** Nothing was written: the row is at this version, ahead of the batch's basis (reconcile, then write). */
  storedAhead?: number;
  /** Payments the workflow never accepted, removed by a reconciling write. */
  dropped?: string[];
  /** What a reconciling write could not undo (credit already spent): the invoice needs attention. */
  refused?: RefusedWrite[];
  /** Nothing was written: a newer workflow task (this fence) wrote the row; this batch's task is stale. */
  superseded?: number;
}

/** The whole batch in one transaction: payments, the invoice row, the events. */
export async function writeBatch(em: EntityManager, args: PersistInvoiceArgs): Promise<BatchOutcome> {
  try {
    if (args.fence !== undefined && !args.reconcile) {
      const voids = args.paymentVoids ?? [];
      // Credit for money on no invoice and voids are statements of their own: then one transaction for all.
      if (voids.length === 0 && args.payments.every((p) => p.invoiceId !== null)) {
        await moveFencedBatch(em, args);
        return { moved: true };
      }
      return await em.transactional(async (tx) => {
        await moveFencedBatch(tx, args);
        await creditUnapplied(tx, args.tenantId, args.payments);
        await markPaymentsVoided(tx, args.tenantId, voids);
        return { moved: true };
      });
    }
    return await em.transactional(async (tx) => {
      if (args.fence !== undefined) {
        const fence = await lockedFence(tx, args);
        if (fence > args.fence) return { moved: false, superseded: fence };
      }
      const undone = args.reconcile ? await undoUnrecorded(tx, { ...args, reconcile: args.reconcile }) : undefined;
      await insertPayments(tx, args.tenantId, args.payments);
      await markPaymentsVoided(tx, args.tenantId, args.paymentVoids ?? []);
      const moved = await updateInvoiceRow(tx, args);
      await insertEvents(tx, args.tenantId, args.invoiceId, args.events);
      if (undone?.refused.length) await recordAttention(tx, args, undone.refused);
      return { moved, ...(undone?.dropped.length ? { dropped: undone.dropped } : {}), ...(undone?.refused.length ? { refused: undone.refused } : {}) };
    });
  } catch (err) {
    if (err instanceof StoredAhead) return { moved: false, storedAhead: err.storedVersion };
    if (err instanceof Superseded) return { moved: false, superseded: err.fence };
    throw err;
  }
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
  // Forward only here (a reconciling write still wins): the refused batch was not written as a whole.
  const moved = await updateInvoiceRow(em, { ...args, basis: undefined });
  for (const e of args.events) {
    await insertEvents(em, tenantId, invoiceId, [e]).catch((err) => refused.push({ kind: 'event', id: e.dedupeKey, reason: refusalReason(err) }));
  }
  if (refused.length === 0) refused.push({ kind: 'batch', id: `version:${args.snapshot.version}`, reason: refusalReason(batchError) });
  await recordAttention(em, args, refused);
  return { moved, refused };
}

/** What Postgres refused, on the invoice row (it needs attention) and in its history. */
async function recordAttention(em: EntityManager, { tenantId, invoiceId, snapshot }: PersistInvoiceArgs, refused: RefusedWrite[]): Promise<void> {
  const reason = refused.map((r) => `${r.kind} ${r.id}: ${r.reason}`).join('; ').slice(0, 2000);
  await em.nativeUpdate(Invoice, { id: invoiceId, tenant: tenantId }, { attentionReason: reason, attentionAt: new Date() });
  await insertEvents(em, tenantId, invoiceId, [{ type: 'attention_needed', dedupeKey: `attention:${snapshot.version}`, data: { version: snapshot.version, refused }, occurredAt: Date.now() }]);
}
