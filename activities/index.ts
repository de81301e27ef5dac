/**
 * Activities: thin I/O adapters the workflows call. Built by a factory so the worker injects real
 * dependencies and tests inject the same real ones against test databases.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { Invoice, InvoiceEvent, Payment } from '../db';
import type { PersistInvoiceArgs } from '../workflows/definitions';
import { observed } from './observed';
import { createReminderActivities, type ReminderActivityDeps } from './reminders';

export interface ActivityDeps extends ReminderActivityDeps {
  orm: MikroORM;
}

/** What a persistInvoice call did, as Temporal UI shows its result. */
export interface PersistInvoiceResult {
  version: number;
  status: string;
  /** Payment rows and events in the batch (a retried batch inserts only the missing ones). */
  payments: number;
  events: number;
  /** False when a newer version was already stored (a late retry): the row was left alone. */
  invoiceUpdated: boolean;
}

export function createActivities(deps: ActivityDeps) {
  const { orm } = deps;
  return observed({
    ...createReminderActivities(deps),
    /**
     * Writes a batch of workflow changes in one transaction. Idempotent: payments and events are
     * keyed (insert-or-ignore) and the invoice row only moves forward in `stateVersion`, so a retried
     * or replayed call can never count a payment twice or roll the balance back.
     */
    async persistInvoice({ tenantId, invoiceId, snapshot, payments, events }: PersistInvoiceArgs): Promise<PersistInvoiceResult> {
      return orm.em.fork().transactional(async (em) => {
        if (payments.length > 0) {
          await em
            .createQueryBuilder(Payment)
            .insert(
              payments.map((p) => ({
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
                createdAt: p.acceptedAt === undefined ? new Date() : new Date(p.acceptedAt),
              })),
            )
            .onConflict('id')
            .ignore()
            .execute();
        }
        const updated = await em.nativeUpdate(
          Invoice,
          { id: invoiceId, tenant: tenantId, stateVersion: { $lt: snapshot.version } },
          { paid: snapshot.paid, due: snapshot.due, status: snapshot.status, stateVersion: snapshot.version, updatedAt: new Date() },
        );
        // Zero rows is fine when a newer version is already stored; a missing row is not: fail and
        // retry rather than drop the write.
        if (updated === 0 && (await em.count(Invoice, { id: invoiceId, tenant: tenantId })) === 0) {
          throw new Error(`invoice ${invoiceId} of tenant ${tenantId} does not exist (yet)`);
        }
        if (events.length > 0) {
          await em
            .createQueryBuilder(InvoiceEvent)
            .insert(
              events.map((e) => ({
                id: uuidv7(),
                tenant: tenantId,
                invoice: invoiceId,
                type: e.type,
                dedupeKey: e.dedupeKey,
                data: e.data,
                occurredAt: new Date(e.occurredAt),
              })),
            )
            .onConflict(['invoice', 'dedupeKey'])
            .ignore()
            .execute();
        }
        return { version: snapshot.version, status: snapshot.status, payments: payments.length, events: events.length, invoiceUpdated: updated > 0 };
      });
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;
