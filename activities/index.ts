/**
 * Activities: thin I/O adapters the workflows call. Built by a factory so the worker injects real
 * dependencies and tests inject the same real ones against test databases.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { log } from '@temporalio/activity';
import { isRefusedWrite } from '../db/failures';
import type { PersistInvoiceArgs, RefusedWrite } from '../workflows/definitions';
import { salvageBatch, writeBatch } from './invoice-writes';
import { createMoneyMovementActivities } from './money-movements';
import { observed } from './observed';
import type { ProcessDeps } from '../services/context';
import { createReminderActivities, type ReminderActivityDeps } from './reminders';

export interface ActivityDeps extends ReminderActivityDeps {
  orm: MikroORM;
  /** What the money movement steps call the invoice workflows with (absent: this worker runs none). */
  process?: ProcessDeps;
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
  /** Writes Postgres refused for good (empty normally); the invoice is then marked as needing attention. */
  refused: RefusedWrite[];
  /** Local activity only: nothing written, the row holds this version (ahead of `basis`); the workflow reconciles. */
  storedAhead?: number;
  /** Payments in Postgres the workflow never accepted, removed by a reconciling write. */
  dropped?: string[];
  /** Local activity only: nothing written, a newer workflow task wrote the row (its fence); this task is stale. */
  superseded?: number;
}

export function createActivities(deps: ActivityDeps) {
  const { orm } = deps;
  return observed({
    ...createReminderActivities(deps),
    ...createMoneyMovementActivities(deps.process),
    /**
     * Writes a batch of workflow changes in one transaction. Idempotent: payments and events are
     * keyed (insert-or-ignore) and the invoice row only moves forward in `stateVersion` (a local
     * activity's batch: only from its `basis`, see PersistInvoiceArgs), so a retried or replayed call
     * can never count a payment twice or roll the balance back. Postgres being
     * unavailable fails the attempt (Temporal retries); Postgres refusing the data stores what it
     * can and reports the rest in `refused` (activities/invoice-writes.ts).
     */
    async persistInvoice(args: PersistInvoiceArgs): Promise<PersistInvoiceResult> {
      const em = orm.em.fork();
      const done = { version: args.snapshot.version, status: args.snapshot.status, payments: args.payments.length, events: args.events.length };
      try {
        const { moved, storedAhead, dropped, superseded, refused = [] } = await writeBatch(em, args);
        if (dropped) log.warn(`persistInvoice: removed payments of invoice ${args.invoiceId} its workflow never accepted`, { dropped });
        if (superseded !== undefined) log.warn(`persistInvoice: a newer workflow task already wrote invoice ${args.invoiceId}; this stale batch wrote nothing`, { fence: args.fence, superseded });
        if (refused.length) log.error(`persistInvoice: a reconciling write of invoice ${args.invoiceId} could not undo all of a write its workflow never recorded; the invoice needs attention`, { refused });
        return { ...done, invoiceUpdated: moved, refused, ...(storedAhead !== undefined ? { storedAhead } : {}), ...(dropped ? { dropped } : {}), ...(superseded !== undefined ? { superseded } : {}) };
      } catch (err) {
        if (!isRefusedWrite(err)) throw err;
        const { moved, refused } = await salvageBatch(em, args, err);
        log.error(`persistInvoice: Postgres refused part of invoice ${args.invoiceId} version ${args.snapshot.version}; the invoice needs attention`, { refused });
        return { ...done, invoiceUpdated: moved, refused };
      }
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;
