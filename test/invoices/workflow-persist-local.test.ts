/**
 * Persistence as a local activity (patch persist-local-v1): a payment Update is accepted, written
 * and completed in one workflow task; histories that scheduled the regular activity still replay;
 * a write the workflow never recorded (its workflow task failed after the local activity wrote) is
 * undone by the invoice's next write, and the same batch written again changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { v7 as uuidv7 } from 'uuid';
import { writeBatch } from '../../activities/invoice-writes';
import { moveCredit } from '../../db/repositories/contact-credit';
import { applyPaymentUpdate, getInvoiceStateQuery, paymentReceivedSignal, voidPaymentUpdate, type PersistInvoiceArgs } from '../../workflows/definitions';
import { eventually, insertInvoice, paymentFor, readEvents, readInvoice, readPayments, useInvoiceHarness, type InvoiceFixture } from '../support/fixtures';
import { WORKFLOW_BUNDLE } from '../support/temporal';

const h = useInvoiceHarness('wf-persist-local');
const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function newInvoice(total: number) {
  const fx = await insertInvoice(h.orm, { now: await h.env.currentTimeMs(), total });
  return { fx, handle: await h.start(fx) };
}

const persistActivities = (events: HistoryEvent[]) => events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'persistInvoice');
/** Local activity markers (of persistInvoice only, when `type` says so: the reminder schedule is one too). */
const localActivityMarkers = (events: HistoryEvent[], type?: string) =>
  events.filter((e) => {
    if (e.eventType !== EventType.EVENT_TYPE_MARKER_RECORDED || e.markerRecordedEventAttributes?.markerName !== 'core_local_activity') return false;
    if (!type) return true;
    const data = e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data;
    return data ? JSON.parse(Buffer.from(data).toString()).activity_type === type : false;
  });

/** A batch as the workflow would send it for one payment at `version` (the payment's write and event). */
function batchFor(fx: InvoiceFixture, p: { paymentId: string; amount: number }, version: number, paid: number, over: Partial<PersistInvoiceArgs> = {}): PersistInvoiceArgs {
  const due = fx.input.total - paid;
  return {
    tenantId: fx.tenantId,
    invoiceId: fx.invoiceId,
    snapshot: { invoiceId: fx.invoiceId, total: fx.input.total, paid, due, status: due === 0 ? 'paid' : 'open', version, credited: 0, writtenOff: 0 },
    payments: [{ id: p.paymentId, invoiceId: fx.invoiceId, contactId: fx.contactId, amount: p.amount, currency: 'USD', date: fx.issueDate, method: 'bank_transfer', reference: null, source: 'manual', acceptedAt: Date.now() }],
    events: [{ type: 'payment_applied', dedupeKey: `payment:${p.paymentId}`, data: { paymentId: p.paymentId, amount: p.amount }, occurredAt: Date.now() }],
    ...over,
  };
}

/** Everything Postgres holds of the invoice, for "changed nothing" comparisons. */
async function stored(fx: InvoiceFixture) {
  const [row] = await h.orm.em.fork().getConnection().execute('select paid, due, status, state_version, updated_at from invoices where id = ?', [fx.invoiceId]);
  const payments = await h.orm.em.fork().getConnection().execute('select * from payments where invoice_id = ? order by id', [fx.invoiceId]);
  const events = await h.orm.em.fork().getConnection().execute('select * from invoice_events where invoice_id = ? order by id', [fx.invoiceId]);
  return { row, payments, events };
}

test('a history whose payment was persisted by the regular activity replays with the local activity code', async () => {
  // Recorded from the workflow code before persist-local-v1: a payment Update and a Stripe payment
  // signal, each persisted by a scheduled persistInvoice activity.
  const history = temporal.api.history.v1.History.decode(readFileSync(join(__dirname, '..', 'fixtures', 'invoices', 'regular-activity-payment-history.bin')));
  expect(persistActivities(history.events!).length).toBeGreaterThanOrEqual(2);
  expect(localActivityMarkers(history.events!)).toHaveLength(0);
  await Worker.runReplayHistory({ workflowBundle: WORKFLOW_BUNDLE }, history, 'regular-activity-payment');
});

test('a payment Update is accepted, written and completed in one workflow task (a local activity marker, no activity task)', async () => {
  const { fx, handle } = await newInvoice(5000);
  const result = await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 1200)] });
  // Read-your-write: the row is there when the Update returns.
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 1200, due: 3800, status: 'open' });
  expect(result).toMatchObject({ paid: 1200, due: 3800 });

  const history = await handle.fetchHistory();
  const events = history.events!;
  expect(persistActivities(events)).toHaveLength(0);
  expect(localActivityMarkers(events, 'persistInvoice').length).toBeGreaterThanOrEqual(1);
  // The reminder schedule too (reminders-local-v1): the invoice's first task reads it, no activity task.
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'materializeReminders')).toHaveLength(0);
  expect(localActivityMarkers(events, 'materializeReminders')).toHaveLength(1);
  const accepted = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  const completed = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  expect(accepted).toBeGreaterThan(0);
  // Accepted and completed by the same workflow task completion: no task in between.
  const between = events.slice(accepted, completed).map((e) => e.eventType);
  expect(between).not.toContain(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  expect(between).toContain(EventType.EVENT_TYPE_MARKER_RECORDED);
  expect(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch' && JSON.stringify(e.markerRecordedEventAttributes?.details).length > 0)).toBe(true);
  await Worker.runReplayHistory({ workflowBundle: WORKFLOW_BUNDLE }, history, handle.workflowId);
});

test('the same batch written again (a workflow task that crashed after its write, retried) changes nothing', async () => {
  const { fx, handle } = await newInvoice(5000);
  const p = paymentFor(fx, 1200);
  await handle.executeUpdate(applyPaymentUpdate, { args: [p] });
  const { version } = await handle.query(getInvoiceStateQuery);
  const before = await stored(fx);
  const batch = batchFor(fx, p, version, 1200, { basis: version - 1 });

  // The retried task's first write finds its own earlier write ahead of what the workflow recorded...
  expect(await writeBatch(h.orm.em.fork(), batch)).toEqual({ moved: false, storedAhead: version });
  // ...and reconciles: every payment is one the workflow accepted, the row already is the snapshot.
  expect(await writeBatch(h.orm.em.fork(), { ...batch, reconcile: { storedVersion: version, paymentIds: [p.paymentId] } })).toEqual({ moved: false });
  // A regular activity's late retry of the same batch, too.
  expect(await writeBatch(h.orm.em.fork(), batchFor(fx, p, version, 1200))).toEqual({ moved: false });
  expect(await stored(fx)).toEqual(before);
});

test('a batch from a workflow task the server already gave to a newer attempt writes nothing, not even its reconciling write', async () => {
  const { fx, handle } = await newInvoice(5000);
  const first = paymentFor(fx, 1000);
  await handle.executeUpdate(applyPaymentUpdate, { args: [first] });
  await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 1500)] });
  const { version } = await handle.query(getInvoiceStateQuery);
  const [{ persist_fence }] = await h.orm.em.fork().getConnection().execute('select persist_fence from invoices where id = ?', [fx.invoiceId]);
  const fence = Number(persist_fence);
  expect(fence).toBeGreaterThan(0);
  const before = await stored(fx);

  // A stale task (a starved worker's, after the server timed it out) knew the first payment only and
  // accepted one of its own; the newer attempt has written since. Unfenced, its reconciling write
  // would remove the payment of 1500 and set the row back to its own state.
  const stale = { paymentId: uuidv7(), amount: 700 };
  const batch = batchFor(fx, stale, version - 1, 1700, { basis: version - 2, fence: fence - 1 });
  expect(await writeBatch(h.orm.em.fork(), batch)).toEqual({ moved: false, superseded: fence });
  const reconcile = { storedVersion: version, paymentIds: [first.paymentId, stale.paymentId] };
  expect(await writeBatch(h.orm.em.fork(), { ...batch, reconcile })).toEqual({ moved: false, superseded: fence });
  expect(await stored(fx)).toEqual(before);

  // The owner goes on from there.
  expect(await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 500)] })).toMatchObject({ paid: 3000 });
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 3000, due: 2000 });
  expect((await readPayments(h.orm, { invoiceId: fx.invoiceId })).map((r) => r.amount).sort()).toEqual([1000, 1500, 500].sort());
});

test('a payment in Postgres that the workflow never accepted is removed by the next write of the invoice', async () => {
  const { fx, handle } = await newInvoice(5000);
  const first = paymentFor(fx, 1000);
  await handle.executeUpdate(applyPaymentUpdate, { args: [first] });
  const { version } = await handle.query(getInvoiceStateQuery);

  // What a workflow task that failed after its local activity wrote leaves behind when the server
  // never delivers that Update again (and no client retries it): version+1 with a payment of 3000.
  const phantom = { paymentId: uuidv7(), amount: 3000 };
  expect((await writeBatch(h.orm.em.fork(), batchFor(fx, phantom, version + 1, 4000, { basis: version }))).moved).toBe(true);
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 4000, due: 1000 });

  // The next change of the invoice: a payment that would be an overpayment with the phantom counted.
  const next = await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 2500)] });
  expect(next).toMatchObject({ paid: 3500, due: 1500, version: version + 1 });
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 3500, due: 1500, status: 'open' });
  const payments = await readPayments(h.orm, { invoiceId: fx.invoiceId });
  expect(payments.map((r) => r.amount).sort()).toEqual([1000, 2500]);
  expect((await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'payment_applied').map((e) => e.data.amount).sort()).toEqual([1000, 2500]);
  // The flush that found the row ahead wrote twice (two local activity markers in its task).
  expect(localActivityMarkers((await handle.fetchHistory()).events!, 'persistInvoice')).toHaveLength(3);
});

/** The payment's void, as Postgres has it (null: the payment stands). */
const voidedAt = async (paymentId: string) =>
  (await h.orm.em.fork().getConnection().execute<{ voided_at: Date | null }[]>('select voided_at from payments where id = ?', [paymentId]))[0].voided_at;

test('a void, a credit note and an invoice void in Postgres that the workflow never made are undone by the next write of the invoice', async () => {
  const { fx, handle } = await newInvoice(5000);
  const first = paymentFor(fx, 1000);
  await handle.executeUpdate(applyPaymentUpdate, { args: [first] });
  const { version } = await handle.query(getInvoiceStateQuery);

  // A failed task's write the server never delivers again: the payment voided, a credit note of 500, the invoice voided.
  const adjustmentId = uuidv7();
  const phantom: PersistInvoiceArgs = {
    ...batchFor(fx, { paymentId: first.paymentId, amount: 0 }, version + 1, 0, { basis: version }),
    snapshot: { invoiceId: fx.invoiceId, total: 5000, paid: 0, due: 0, status: 'void', version: version + 1, credited: 500, writtenOff: 0 },
    payments: [],
    paymentVoids: [{ id: first.paymentId, reason: 'typo', voidedBy: null, voidedAt: Date.now() }],
    events: [
      { type: 'payment_voided', dedupeKey: `payment-voided:${first.paymentId}`, data: { paymentId: first.paymentId, amount: 1000 }, occurredAt: Date.now() },
      { type: 'credit_note_issued', dedupeKey: `credit-note:${adjustmentId}`, data: { adjustmentId, amount: 500 }, occurredAt: Date.now() },
      { type: 'voided', dedupeKey: 'voided', data: {}, occurredAt: Date.now() },
    ],
  };
  expect((await writeBatch(h.orm.em.fork(), phantom)).moved).toBe(true);
  expect(await voidedAt(first.paymentId)).not.toBeNull();
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 0, status: 'void' });

  // The next change of the invoice: the workflow's state wins, the unrecorded void and adjustments go.
  const next = await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 500)] });
  expect(next).toMatchObject({ paid: 1500, due: 3500, status: 'open', version: version + 1 });
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 1500, due: 3500, status: 'open' });
  expect(await voidedAt(first.paymentId)).toBeNull();
  const types = (await readEvents(h.orm, fx.invoiceId)).map((e) => e.type);
  expect(types).not.toContain('payment_voided');
  expect(types).not.toContain('credit_note_issued');
  expect(types).not.toContain('voided');

  // The payment can be voided for real afterwards (its client retries, say).
  expect(await handle.executeUpdate(voidPaymentUpdate, { args: [{ paymentId: first.paymentId, amount: 1000, reason: 'typo', voidedBy: null }] })).toMatchObject({ paid: 500, duplicate: false });
  expect(await voidedAt(first.paymentId)).not.toBeNull();
  expect((await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'payment_voided')).toHaveLength(1);
});

test('the credit an unrecorded void of a credit payment gave back is taken back; already spent, the invoice needs attention', async () => {
  const sql = (q: string, params: unknown[] = []) => h.orm.em.fork().getConnection().execute(q, params);
  const { fx, handle } = await newInvoice(5000);
  const balance = async () => Number((await sql('select balance from contact_credit_balances where contact_id = ?', [fx.contactId]))[0]?.balance ?? 0);
  const byCredit = [paymentFor(fx, 1000, { source: 'credit' }), paymentFor(fx, 1000, { source: 'credit' })];
  for (const p of byCredit) await handle.executeUpdate(applyPaymentUpdate, { args: [p] });

  // Two unrecorded voids, each giving its 1000 back to the contact; then the contact spends 1000 of it elsewhere.
  for (const [i, p] of byCredit.entries()) {
    const { version } = await handle.query(getInvoiceStateQuery);
    const stale: PersistInvoiceArgs = {
      ...batchFor(fx, { paymentId: p.paymentId, amount: 0 }, version + 1 + i, 1000 - 1000 * i, { basis: version + i }),
      payments: [],
      paymentVoids: [{ id: p.paymentId, reason: 'typo', voidedBy: null, voidedAt: Date.now() }],
      events: [{ type: 'payment_voided', dedupeKey: `payment-voided:${p.paymentId}`, data: { paymentId: p.paymentId, amount: 1000 }, occurredAt: Date.now() }],
    };
    expect((await writeBatch(h.orm.em.fork(), stale)).moved).toBe(true);
  }
  expect(await balance()).toBe(2000);
  expect(await moveCredit(h.orm.em.fork(), { tenantId: fx.tenantId, contactId: fx.contactId, currency: 'USD', amount: -1000, kind: 'applied_to_invoice', ref: `apply:${uuidv7()}` })).toBe(true);

  // The next write takes back what it can: one void's 1000 from the 1000 left; the other's is refused.
  await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 500)] });
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 2500, due: 2500 });
  expect(await Promise.all(byCredit.map((p) => voidedAt(p.paymentId)))).toEqual([null, null]);
  expect(await balance()).toBe(0);
  const [row] = await sql('select attention_reason from invoices where id = ?', [fx.invoiceId]);
  expect(row.attention_reason).toMatch(/^credit void:/);
  expect((await readEvents(h.orm, fx.invoiceId)).map((e) => e.type)).toContain('attention_needed');
});

test('a write that keeps failing retries forever: in the worker up to localRetryThreshold, then on durable timers', async () => {
  const { fx, handle } = await newInvoice(5000);
  await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 1000)] });
  // The invoice row goes missing for the workflow (its id changes, children follow): every write fails and is retried.
  const sql = (q: string, params: unknown[]) => h.orm.em.fork().getConnection().execute(q, params);
  const hidden = uuidv7();
  await sql('update invoices set id = ? where id = ?', [hidden, fx.invoiceId]);
  await handle.signal(paymentReceivedSignal, paymentFor(fx, 500, { source: 'stripe', method: 'card' }));
  const fired = async () => (await handle.fetchHistory()).events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED && !e.userMetadata?.summary).length;
  // 0.5 + 1 + 2 + 4 + 8 s of backoff in the worker, then the 16 s backoff is a timer.
  await eventually(async () => expect(await fired()).toBeGreaterThan(0), 40_000);
  await h.skipTo((await h.env.currentTimeMs()) + 60 * 60_000);
  // An hour later it is still retrying, about a minute apart (the cap).
  expect(await fired()).toBeGreaterThan(30);
  expect(await readInvoice(h.orm, hidden)).toMatchObject({ paid: 1000 });
  await sql('update invoices set id = ? where id = ?', [fx.invoiceId, hidden]);
  await h.skipTo((await h.env.currentTimeMs()) + 2 * 60_000);
  await eventually(async () => expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 1500, due: 3500 }));
  expect(persistActivities((await handle.fetchHistory()).events!)).toHaveLength(0);
}, 90_000);
