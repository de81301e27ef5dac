/**
 * Reminders driven by the invoice workflow's durable timers on the time-skipping test server, enqueued
 * on a real BullMQ queue and delivered by the real reminder worker into the Postgres outbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { addDays, dateIn } from '../../domain/dates';
import { reminderJobId } from '../../domain/reminders';
import { applyPaymentUpdate, getInvoiceStateQuery, invoiceWorkflowId, paymentReversedSignal, voidInvoiceUpdate } from '../../workflows/definitions';
import { eventually, insertInvoice, paymentFor, readEvents, type InvoiceFixture } from '../support/fixtures';
import { WORKFLOW_BUNDLE } from '../support/temporal';
import { customerUrl } from '../../lib/pay-links';
import { readOutbox, readReminders, TEST_CONFIG, useReminderHarness } from '../support/reminders';
import { storeReminderSchedule } from '../../services/reminders';
import { invoiceWorkflow } from '../../workflows/invoice';

const MINUTE = 60_000;
const h = useReminderHarness('rem-wf');

async function planInvoice(opts: { total: number; plan?: { amount: number; offsetDays: number }[]; timeZone?: string; dueInDays?: number }) {
  const now = await h.env.currentTimeMs();
  const timeZone = opts.timeZone ?? 'UTC';
  const issueDate = addDays(dateIn(now, timeZone), 1);
  const fx = await insertInvoice(h.orm, {
    now,
    total: opts.total,
    timeZone,
    issueDate,
    dueDate: addDays(issueDate, opts.dueInDays ?? 30),
    ...(opts.plan ? { plan: opts.plan.map((p) => ({ amount: p.amount, date: addDays(issueDate, p.offsetDays) })) } : {}),
  });
  const handle = await h.start(fx);
  const reminders = await eventually(async () => {
    const rows = await readReminders(h.orm, fx.invoiceId);
    expect(rows.length).toBeGreaterThan(0);
    return rows;
  });
  return { fx, handle, reminders };
}

const statusOf = async (fx: InvoiceFixture, key: string) => (await readReminders(h.orm, fx.invoiceId)).find((r) => r.key === key)!;

describe('reminders on plan dates and dunning', () => {
  test('a three-installment plan and an overdue invoice: every reminder fires at its instant, once', async () => {
    const { fx, handle, reminders } = await planInvoice({
      total: 6000,
      timeZone: 'America/New_York',
      plan: [
        { amount: 1000, offsetDays: 10 },
        { amount: 2000, offsetDays: 20 },
        { amount: 3000, offsetDays: 30 },
      ],
    });
    const [i1, i2, i3] = fx.input.plan;
    const local9 = (date: string, days: number) => {
      const d = addDays(date, days);
      return { date: d, at: Date.parse(`${d}T14:00:00Z`) }; // 09:00 EST (no DST in Nov-Jan)
    };
    // The materialized schedule: 3 × (3 days before, on the day) + dunning 1, 7, 14 days after the due date.
    const expected = [
      { key: `inst-${i1.id}-m3`, ...local9(i1.date, -3) },
      { key: `inst-${i1.id}-p0`, ...local9(i1.date, 0) },
      { key: `inst-${i2.id}-m3`, ...local9(i2.date, -3) },
      { key: `inst-${i2.id}-p0`, ...local9(i2.date, 0) },
      { key: `inst-${i3.id}-m3`, ...local9(i3.date, -3) },
      { key: `inst-${i3.id}-p0`, ...local9(i3.date, 0) },
      { key: 'dun-p1', ...local9(fx.dueDate, 1) },
      { key: 'dun-p7', ...local9(fx.dueDate, 7) },
      { key: 'dun-p14', ...local9(fx.dueDate, 14) },
    ];
    expect(reminders.map((r) => [r.key, r.at, r.status])).toEqual(expected.map((e) => [e.key, e.at, 'scheduled']));
    const amounts: Record<string, number> = { [`inst-${i1.id}`]: 1000, [`inst-${i2.id}`]: 2000, [`inst-${i3.id}`]: 3000 };

    for (const [n, e] of expected.entries()) {
      await h.skipTo(e.at - MINUTE);
      expect((await statusOf(fx, e.key)).status).toBe('scheduled');
      expect(await h.queue.getJob(reminderJobId(fx.invoiceId, e.key))).toBeUndefined();
      expect(await readOutbox(h.orm, fx.invoiceId)).toHaveLength(n);

      await h.skipTo(e.at + MINUTE);
      await eventually(async () => expect((await statusOf(fx, e.key)).status).toBe('sent'));
      const outbox = await readOutbox(h.orm, fx.invoiceId);
      expect(outbox).toHaveLength(n + 1);
      expect(outbox[n]).toMatchObject({ key: e.key, recipient: 'ada@example.test', link: customerUrl(TEST_CONFIG, fx.invoiceId, 0) });
      const amount = e.key.startsWith('dun') ? 6000 : amounts[e.key.slice(0, -3)];
      expect((await statusOf(fx, e.key)).amount).toBe(amount);
      expect(outbox[n].subject).toContain(`$${(amount / 100).toFixed(2)}`);
      expect(outbox[n].subject).toContain(fx.input.number);
    }
    expect((await handle.query(getInvoiceStateQuery)).status).toBe('overdue');
    expect((await h.jobs(fx.invoiceId)).map((j) => j.id).sort()).toEqual(expected.map((e) => reminderJobId(fx.invoiceId, e.key)).sort());
    expect(h.delivered.filter((m) => m.invoiceId === fx.invoiceId)).toHaveLength(expected.length);
    const events = await readEvents(h.orm, fx.invoiceId);
    expect(events.filter((e) => e.type === 'reminder_scheduled')).toHaveLength(9);
    expect(events.filter((e) => e.type === 'reminder_sent').map((e) => e.dedupeKey).sort()).toEqual(expected.map((e) => `reminder_sent:${e.key}`).sort());

    // Replaying the full history with the current workflow code is deterministic (no new commands).
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: WORKFLOW_BUNDLE }, history, handle.workflowId);
    expect((await h.jobs(fx.invoiceId)).length).toBe(expected.length);
  });

  test('an invoice created past its due date: reminders already past are skipped at creation, each with its history event', async () => {
    const now = await h.env.currentTimeMs();
    const issueDate = addDays(dateIn(now, 'UTC'), -20);
    const fx = await insertInvoice(h.orm, { now, total: 6000, issueDate, dueDate: addDays(issueDate, 10) });
    await h.start(fx);
    const reminders = await eventually(async () => {
      const rows = await readReminders(h.orm, fx.invoiceId);
      expect(rows.length).toBeGreaterThan(0);
      return rows;
    });
    const past = reminders.filter((r) => r.at < now);
    const ahead = reminders.filter((r) => r.at >= now);
    expect(past.length).toBeGreaterThan(0);
    expect(ahead.length).toBeGreaterThan(0);
    expect(past.every((r) => r.status === 'skipped' && r.skipReason === 'past_at_creation')).toBe(true);
    expect(ahead.every((r) => r.status === 'scheduled' && r.skipReason === null)).toBe(true);

    const events = await readEvents(h.orm, fx.invoiceId);
    const skipped = events.filter((e) => e.type === 'reminder_skipped');
    expect(skipped.map((e) => e.dedupeKey).sort()).toEqual(past.map((r) => `reminder_skipped:${r.key}`).sort());
    const first = past[0];
    expect(skipped.find((e) => e.dedupeKey === `reminder_skipped:${first.key}`)!.data).toMatchObject({ key: first.key, kind: first.kind, at: new Date(first.at).toISOString(), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), reason: 'past_at_creation' });
    expect(events.filter((e) => e.type === 'reminder_scheduled').map((e) => e.dedupeKey).sort()).toEqual(ahead.map((r) => `reminder_scheduled:${r.key}`).sort());
    // The schedule the workflow keeps: nothing is sent for the skipped ones when time passes.
    await h.skipTo(ahead[0].at + MINUTE);
    await eventually(async () => expect((await readReminders(h.orm, fx.invoiceId)).find((r) => r.key === ahead[0].key)!.status).toBe('sent'));
    expect((await h.jobs(fx.invoiceId)).map((j) => j.id)).not.toContain(reminderJobId(fx.invoiceId, first.key));
  });

  test('a schedule stored at creation comes in the input: the first task fetches nothing, and the reminders fire from it', async () => {
    const now = await h.env.currentTimeMs();
    const issueDate = addDays(dateIn(now, 'UTC'), 1);
    const fx = await insertInvoice(h.orm, { now, total: 4000, issueDate, dueDate: addDays(issueDate, 20), plan: [{ amount: 4000, date: addDays(issueDate, 10) }] });
    // As the API's creation does, in its transaction.
    const stored = await storeReminderSchedule(h.orm.em.fork(), { tenantId: fx.tenantId, invoiceId: fx.invoiceId, plan: fx.input.plan, dueDate: fx.dueDate, timeZone: 'UTC', policy: null, now });
    expect(stored.schedule.length).toBeGreaterThan(0);
    const handle = await h.env.client.workflow.start(invoiceWorkflow, { workflowId: invoiceWorkflowId(fx.invoiceId), taskQueue: h.taskQueue, args: [{ ...fx.input, reminders: stored }] });
    const first = stored.schedule[0];
    await h.skipTo(first.at + MINUTE);
    await eventually(async () => expect((await readReminders(h.orm, fx.invoiceId)).find((r) => r.key === first.key)!.status).toBe('sent'));
    const { events } = await handle.fetchHistory();
    const localActivities = events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(localActivities).toEqual([]);
    expect(events!.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'materializeReminders')).toBe(false);
  });

  test('paying an installment early cancels its reminders; a partial payment lowers the amount asked', async () => {
    const { fx, handle } = await planInvoice({ total: 5000, plan: [{ amount: 3000, offsetDays: 10 }, { amount: 2000, offsetDays: 20 }] });
    const [i1, i2] = fx.input.plan;
    await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 3500)] });

    const first = await statusOf(fx, `inst-${i1.id}-p0`);
    await h.skipTo(first.at + MINUTE);
    await eventually(async () => expect((await statusOf(fx, `inst-${i1.id}-p0`)).status).toBe('skipped'));
    expect(await statusOf(fx, `inst-${i1.id}-m3`)).toMatchObject({ status: 'skipped', skipReason: 'installment_covered' });
    expect(await readOutbox(h.orm, fx.invoiceId)).toHaveLength(0);

    const second = await statusOf(fx, `inst-${i2.id}-m3`);
    await h.skipTo(second.at + MINUTE);
    await eventually(async () => expect((await statusOf(fx, `inst-${i2.id}-m3`)).status).toBe('sent'));
    expect(await statusOf(fx, `inst-${i2.id}-m3`)).toMatchObject({ amount: 1500 });
    expect((await readOutbox(h.orm, fx.invoiceId)).map((m) => m.key)).toEqual([`inst-${i2.id}-m3`]);
    const skipped = (await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'reminder_skipped');
    expect(skipped.map((e) => (e.data as { reason: string }).reason)).toEqual(['installment_covered', 'installment_covered']);
  });

  test('paying in full stops dunning', async () => {
    const { fx, handle } = await planInvoice({ total: 4000, dueInDays: 5 });
    const dun1 = await statusOf(fx, 'dun-p1');
    await h.skipTo(dun1.at + MINUTE);
    await eventually(async () => expect((await statusOf(fx, 'dun-p1')).status).toBe('sent'));
    expect((await readReminders(h.orm, fx.invoiceId)).filter((r) => r.status === 'sent').map((r) => r.key)).toEqual([
      `inst-${fx.input.plan[0].id}-m3`,
      `inst-${fx.input.plan[0].id}-p0`,
      'dun-p1',
    ]);

    expect(await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 4000)] })).toMatchObject({ status: 'paid' });
    await eventually(async () => {
      const rest = (await readReminders(h.orm, fx.invoiceId)).filter((r) => r.key === 'dun-p7' || r.key === 'dun-p14');
      expect(rest.map((r) => [r.status, r.skipReason])).toEqual([
        ['skipped', 'invoice_paid'],
        ['skipped', 'invoice_paid'],
      ]);
    });
    await h.skipTo((await statusOf(fx, 'dun-p14')).at + MINUTE);
    expect((await readOutbox(h.orm, fx.invoiceId)).map((m) => m.key)).toEqual([`inst-${fx.input.plan[0].id}-m3`, `inst-${fx.input.plan[0].id}-p0`, 'dun-p1']);
    expect(await h.jobs(fx.invoiceId)).toHaveLength(3);
  });

  test('void stops everything', async () => {
    const { fx, handle } = await planInvoice({ total: 5000, plan: [{ amount: 2500, offsetDays: 10 }, { amount: 2500, offsetDays: 20 }] });
    const first = (await readReminders(h.orm, fx.invoiceId))[0];
    await h.skipTo(first.at + MINUTE);
    await eventually(async () => expect((await statusOf(fx, first.key)).status).toBe('sent'));

    await handle.executeUpdate(voidInvoiceUpdate, { args: [{ reason: 'cancelled' }] });
    expect(await handle.result()).toMatchObject({ status: 'void' });
    const rows = await readReminders(h.orm, fx.invoiceId);
    expect(rows.filter((r) => r.status === 'sent').map((r) => r.key)).toEqual([first.key]);
    expect(rows.filter((r) => r.key !== first.key).every((r) => r.status === 'skipped' && r.skipReason === 'invoice_void')).toBe(true);
    await h.skipTo(Math.max(...rows.map((r) => r.at)) + MINUTE);
    expect(await readOutbox(h.orm, fx.invoiceId)).toHaveLength(1);
    expect(await h.jobs(fx.invoiceId)).toHaveLength(1);
  });
});

describe('a refund or lost dispute reopening a paid invoice (reminders-resume-v1)', () => {
  const refund = (reversalId: string, amount: number) => ({ reversalId, paymentId: null, amount, kind: 'refund' as const, reference: null });
  const sentKeys = async (fx: InvoiceFixture) => (await readOutbox(h.orm, fx.invoiceId)).map((m) => m.key);
  const timersFired = async (handle: Awaited<ReturnType<typeof planInvoice>>['handle']) =>
    (await handle.fetchHistory()).events!.filter((e) => e.timerFiredEventAttributes).length;
  /** A 4000 invoice paid in full (its reminders parked), then refunded in full as `reversalId` (resumed). */
  const paidThenRefunded = async (reversalId: string) => {
    const { fx, handle } = await planInvoice({ total: 4000, dueInDays: 5 });
    await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 4000)] });
    await eventually(async () => expect((await statusOf(fx, 'dun-p1')).status).toBe('skipped'));
    await handle.signal(paymentReversedSignal, refund(reversalId, 4000));
    await eventually(async () => expect((await statusOf(fx, 'dun-p1')).status).toBe('scheduled'));
    return { fx, handle };
  };

  test('paid and never reversed: no timers for its reminders, no dunning', async () => {
    const { fx, handle } = await planInvoice({ total: 4000, dueInDays: 5 });
    await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 4000)] });
    await eventually(async () =>
      expect((await readReminders(h.orm, fx.invoiceId)).map((r) => [r.status, r.skipReason])).toEqual(Array(5).fill(['skipped', 'invoice_paid'])),
    );
    await h.skipTo((await statusOf(fx, 'dun-p14')).at + MINUTE);
    expect(await sentKeys(fx)).toEqual([]);
    expect(await h.jobs(fx.invoiceId)).toHaveLength(0);
    // A paid invoice does not wake up for its reminders (nor for the due date).
    expect(await timersFired(handle)).toBe(0);
    expect((await handle.query(getInvoiceStateQuery)).status).toBe('paid');
  });

  test('reversed before the due date: reminders still ahead resume, and dunning after the due date is sent', async () => {
    const { fx, handle } = await planInvoice({ total: 4000, dueInDays: 5 });
    const inst = fx.input.plan[0].id;
    await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 4000)] });
    await eventually(async () => expect((await readReminders(h.orm, fx.invoiceId)).every((r) => r.status === 'skipped')).toBe(true));

    // The first installment reminder's instant passes while the invoice is paid: it stays skipped.
    await h.skipTo((await statusOf(fx, `inst-${inst}-m3`)).at + MINUTE);
    expect(await timersFired(handle)).toBe(0);
    await handle.signal(paymentReversedSignal, refund('re_resume', 1500));
    await eventually(async () =>
      expect((await readReminders(h.orm, fx.invoiceId)).map((r) => [r.key, r.status, r.skipReason])).toEqual([
        [`inst-${inst}-m3`, 'skipped', 'invoice_paid'],
        [`inst-${inst}-p0`, 'scheduled', null],
        ['dun-p1', 'scheduled', null],
        ['dun-p7', 'scheduled', null],
        ['dun-p14', 'scheduled', null],
      ]),
    );
    expect((await handle.query(getInvoiceStateQuery)).status).toBe('open');
    const resumed = (await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'reminder_scheduled' && (e.data as { reason?: string }).reason === 'invoice_reopened');
    expect(resumed.map((e) => (e.data as { key: string }).key).sort()).toEqual([`inst-${inst}-p0`, 'dun-p1', 'dun-p14', 'dun-p7'].sort());

    await h.skipTo((await statusOf(fx, 'dun-p14')).at + MINUTE);
    await eventually(async () => expect((await statusOf(fx, 'dun-p14')).status).toBe('sent'));
    expect(await sentKeys(fx)).toEqual([`inst-${inst}-p0`, 'dun-p1', 'dun-p7', 'dun-p14']);
    for (const key of [`inst-${inst}-p0`, 'dun-p1', 'dun-p7', 'dun-p14']) expect((await statusOf(fx, key)).amount).toBe(1500);
    expect((await handle.query(getInvoiceStateQuery)).status).toBe('overdue');

    // The new behaviour replays deterministically.
    await Worker.runReplayHistory({ workflowBundle: WORKFLOW_BUNDLE }, await handle.fetchHistory(), handle.workflowId);
  });

  test('paid again after a reversal parks the rest again; a second reversal resumes them again', async () => {
    const { fx, handle } = await paidThenRefunded('re_1');

    await h.skipTo((await statusOf(fx, 'dun-p1')).at + MINUTE);
    await eventually(async () => expect((await statusOf(fx, 'dun-p1')).status).toBe('sent'));
    expect((await statusOf(fx, 'dun-p1')).amount).toBe(4000);

    expect(await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 4000)] })).toMatchObject({ status: 'paid' });
    await eventually(async () => expect(await statusOf(fx, 'dun-p7')).toMatchObject({ status: 'skipped', skipReason: 'invoice_paid' }));
    await h.skipTo((await statusOf(fx, 'dun-p7')).at + MINUTE);
    await handle.signal(paymentReversedSignal, refund('re_2', 1000));
    await eventually(async () => expect((await statusOf(fx, 'dun-p14')).status).toBe('scheduled'));
    expect(await statusOf(fx, 'dun-p7')).toMatchObject({ status: 'skipped', skipReason: 'invoice_paid' });

    await h.skipTo((await statusOf(fx, 'dun-p14')).at + MINUTE);
    await eventually(async () => expect((await statusOf(fx, 'dun-p14')).status).toBe('sent'));
    expect((await sentKeys(fx)).filter((k) => k.startsWith('dun'))).toEqual(['dun-p1', 'dun-p14']);
    expect((await statusOf(fx, 'dun-p14')).amount).toBe(1000);
    // Each park and each resume is its own history event (reminder_sent carries the delivery's wall-clock time, so count, not order).
    const events = (await readEvents(h.orm, fx.invoiceId)).filter((e) => (e.data as { key?: string }).key === 'dun-p14');
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect([count('reminder_scheduled'), count('reminder_skipped'), count('reminder_sent')]).toEqual([3, 2, 1]);
    expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(6);
    expect(events.filter((e) => e.type !== 'reminder_sent').map((e) => e.type)).toEqual(['reminder_scheduled', 'reminder_skipped', 'reminder_scheduled', 'reminder_skipped', 'reminder_scheduled']);
  });

  test('void after a reopen: the resumed reminders are skipped and nothing is sent', async () => {
    const { fx, handle } = await paidThenRefunded('re_v');
    await handle.executeUpdate(voidInvoiceUpdate, { args: [{ reason: 'refunded' }] });
    expect(await handle.result()).toMatchObject({ status: 'void' });
    const rows = await readReminders(h.orm, fx.invoiceId);
    expect(rows.map((r) => [r.status, r.skipReason])).toEqual(Array(5).fill(['skipped', 'invoice_void']));
    await h.skipTo(Math.max(...rows.map((r) => r.at)) + MINUTE);
    expect(await sentKeys(fx)).toEqual([]);
    expect(await h.jobs(fx.invoiceId)).toHaveLength(0);
  });
});

test('a history recorded before reminders-resume-v1 (paid, refunded, paid again) replays with the old behaviour', async () => {
  // Recorded from the workflow code before reminders-resume-v1: paid in full (all reminders skipped for
  // good), a refund reopens it, it becomes overdue without any dunning, then it is paid again.
  const history = temporal.api.history.v1.History.decode(readFileSync(join(__dirname, '..', 'fixtures', 'reminders', 'paid-reversed-invoice-history.bin')));
  expect(history.events!.length).toBeGreaterThan(50);
  await Worker.runReplayHistory({ workflowBundle: WORKFLOW_BUNDLE }, history, 'paid-reversed-invoice');
});

test('a history recorded before reminders existed still replays (the reminders-v1 patch)', async () => {
  // Recorded from the pre-reminders workflow code: plan of two installments, a partial payment, the
  // installment and overdue timers, then paid in full.
  const history = temporal.api.history.v1.History.decode(readFileSync(join(__dirname, '..', 'fixtures', 'reminders', 'pre-reminders-invoice-history.bin')));
  expect(history.events!.length).toBeGreaterThan(20);
  await Worker.runReplayHistory({ workflowBundle: WORKFLOW_BUNDLE }, history, 'pre-reminders-invoice');
});
