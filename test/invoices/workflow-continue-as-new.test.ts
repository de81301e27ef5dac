/**
 * Continue-as-new and payment-plan wake-ups on the real time-skipping test server with a real worker
 * writing to Postgres.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { addDays } from '../../domain/dates';
import type { invoiceWorkflow } from '../../workflows/invoice';
import { applyPaymentUpdate, getInvoiceStateQuery, invoiceWorkflowId } from '../../workflows/definitions';
import { fromFailure } from '../../workflows/failures';
import { eventually, insertInvoice, paymentFor, readEvents, readInvoice, readPayments, useInvoiceHarness } from '../support/fixtures';

const MINUTE = 60_000;
const h = useInvoiceHarness('wf-can');

type Handle = WorkflowHandle<typeof invoiceWorkflow>;
const pay = (handle: Handle, p: ReturnType<typeof paymentFor>, updateId = p.paymentId) =>
  handle.executeUpdate(applyPaymentUpdate, { args: [p], updateId });

/** Run ids of every run in the workflow's chain, oldest first, following continue-as-new. */
async function runChain(workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await h.env.client.workflow.getHandle(workflowId, runs.at(-1)).fetchHistory();
    const last = history.events!.at(-1)!;
    const next = last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

const installmentEvents = async (invoiceId: string) =>
  (await readEvents(h.orm, invoiceId)).filter((e) => e.type === 'installment_due').map((e) => e.data as { installmentId: string; uncovered: number; amount: number });

describe('continue-as-new', () => {
  test('(g) state survives continue-as-new: balance, payment dedupe and the overdue timer', async () => {
    const now = await h.env.currentTimeMs();
    const fx = await insertInvoice(h.orm, { now, total: 5000, timeZone: 'Pacific/Auckland', maxHistoryEvents: 60 });
    const handle = await h.start(fx);
    const workflowId = invoiceWorkflowId(fx.invoiceId);

    const payments = Array.from({ length: 30 }, () => paymentFor(fx, 100));
    for (const p of payments) await pay(handle, p);

    const current = await h.env.client.workflow.getHandle<typeof invoiceWorkflow>(workflowId).describe();
    expect(current.runId).not.toBe(handle.firstExecutionRunId);
    const chain = await runChain(workflowId, handle.firstExecutionRunId);
    expect(chain.length).toBeGreaterThanOrEqual(2);
    expect(chain.at(-1)).toBe(current.runId);

    const latest = h.env.client.workflow.getHandle<typeof invoiceWorkflow>(workflowId);
    expect(await latest.query(getInvoiceStateQuery)).toMatchObject({ paid: 3000, due: 2000, status: 'open', version: 30 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 3000, due: 2000, status: 'open', stateVersion: 30 });

    // Payments applied in earlier runs are still recognised (the server cannot dedupe across runs).
    for (const p of [payments[0], payments[1], payments[29]]) {
      const again = await pay(latest, p, `${p.paymentId}:after-can`);
      expect(again).toMatchObject({ duplicate: true, paid: 3000, due: 2000 });
    }
    expect(await readPayments(h.orm, { invoiceId: fx.invoiceId })).toHaveLength(30);

    // The overdue timer is re-armed in the new run.
    await h.skipTo(fx.input.overdueAt - MINUTE);
    expect((await latest.query(getInvoiceStateQuery)).status).toBe('open');
    await h.skipTo(fx.input.overdueAt + MINUTE);
    await eventually(async () => expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'overdue', paid: 3000, due: 2000 }));
    expect((await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'became_overdue')).toHaveLength(1);

    // And the rules still hold against the carried balance.
    const err = fromFailure(await pay(latest, paymentFor(fx, 2001)).catch((e: unknown) => e));
    expect(err).toMatchObject({ code: 'overpayment', details: { due: 2000, amount: 2001 } });
    expect(await pay(latest, paymentFor(fx, 2000))).toMatchObject({ status: 'paid', paid: 5000, due: 0, duplicate: false });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'paid', paid: 5000, due: 0 });
  });
  test('(g) concurrent payments across continue-as-new are all applied exactly once', async () => {
    const fx = await insertInvoice(h.orm, { now: await h.env.currentTimeMs(), total: 5000, maxHistoryEvents: 60 });
    const handle = await h.start(fx);
    const payments = Array.from({ length: 40 }, () => paymentFor(fx, 100));
    const results: Awaited<ReturnType<typeof pay>>[] = [];
    // Waves of 10 concurrent updates, so several waves meet a continue-as-new.
    for (let i = 0; i < payments.length; i += 10) results.push(...(await Promise.all(payments.slice(i, i + 10).map((p) => pay(handle, p)))));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect((await runChain(invoiceWorkflowId(fx.invoiceId), handle.firstExecutionRunId)).length).toBeGreaterThanOrEqual(2);
    const latest = h.env.client.workflow.getHandle<typeof invoiceWorkflow>(invoiceWorkflowId(fx.invoiceId));
    expect(await latest.query(getInvoiceStateQuery)).toMatchObject({ paid: 4000, due: 1000, version: 40 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 4000, due: 1000, status: 'open' });
    expect(await readPayments(h.orm, { invoiceId: fx.invoiceId })).toHaveLength(40);
  });
});

describe('payment plan wake-ups', () => {
  async function planInvoice(maxHistoryEvents?: number) {
    const now = await h.env.currentTimeMs();
    const issueDate = addDays(new Date(now).toISOString().slice(0, 10), 1);
    const fx = await insertInvoice(h.orm, {
      now,
      total: 6000,
      timeZone: 'America/New_York',
      issueDate,
      dueDate: addDays(issueDate, 30),
      plan: [
        { amount: 3000, date: addDays(issueDate, 20) },
        { amount: 1000, date: addDays(issueDate, 5) },
        { amount: 2000, date: addDays(issueDate, 10) },
      ],
      maxHistoryEvents,
    });
    // buildPaymentPlan sorted the plan by date.
    expect(fx.input.plan.map((p) => p.amount)).toEqual([1000, 2000, 3000]);
    return { fx, handle: await h.start(fx) };
  }

  test('(h) installment_due fires on plan dates, only for installments payments have not covered', async () => {
    const { fx, handle } = await planInvoice();
    const [first, second, third] = fx.input.plan;

    // Covers the first installment and half of the second, before either date.
    await pay(handle, paymentFor(fx, 2000));

    await h.skipTo(first.at + MINUTE);
    await eventually(async () => expect((await handle.query(getInvoiceStateQuery)).version).toBe(1));
    expect(await installmentEvents(fx.invoiceId)).toEqual([]);

    await h.skipTo(second.at - MINUTE);
    expect(await installmentEvents(fx.invoiceId)).toEqual([]);
    await h.skipTo(second.at + MINUTE);
    await eventually(async () =>
      expect(await installmentEvents(fx.invoiceId)).toEqual([{ installmentId: second.id, date: second.date, amount: 2000, uncovered: 1000 }]),
    );

    // Paying the rest of the second installment and part of the third before its date.
    await pay(handle, paymentFor(fx, 1500));
    await h.skipTo(third.at + MINUTE);
    await eventually(async () => expect(await installmentEvents(fx.invoiceId)).toHaveLength(2));
    expect((await installmentEvents(fx.invoiceId))[1]).toEqual({ installmentId: third.id, date: third.date, amount: 3000, uncovered: 2500 });

    // Fired at the installment date's start in the tenant zone, each once.
    const events = (await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'installment_due');
    expect(events.map((e) => e.dedupeKey)).toEqual([`installment:${second.id}`, `installment:${third.id}`]);
    expect(events[0].occurredAt.getTime()).toBeGreaterThanOrEqual(second.at);
    expect(events[0].occurredAt.getTime()).toBeLessThan(second.at + MINUTE);
    expect((await readInvoice(h.orm, fx.invoiceId)).status).toBe('open');
  });

  test('(h) a fully paid invoice fires no installment events', async () => {
    const { fx, handle } = await planInvoice();
    await pay(handle, paymentFor(fx, 6000));
    await h.skipTo(fx.input.overdueAt + MINUTE);
    await eventually(async () => expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ status: 'paid' }));
    expect(await installmentEvents(fx.invoiceId)).toEqual([]);
    expect((await readInvoice(h.orm, fx.invoiceId)).status).toBe('paid');
  });

  test('(g)+(h) installment events are not lost when the workflow continues as new at a wake-up', async () => {
    // A tiny history limit makes the workflow continue as new at every wake-up.
    const { fx, handle } = await planInvoice(8);
    const [first, second, third] = fx.input.plan;
    for (const inst of [first, second, third]) {
      await h.skipTo(inst.at + MINUTE);
      await eventually(async () => expect((await installmentEvents(fx.invoiceId)).map((e) => e.installmentId)).toContain(inst.id));
    }
    expect(await installmentEvents(fx.invoiceId)).toEqual(
      [first, second, third].map((i) => ({ installmentId: i.id, date: i.date, amount: i.amount, uncovered: i.amount })),
    );
    const chain = await runChain(invoiceWorkflowId(fx.invoiceId), handle.firstExecutionRunId);
    expect(chain.length).toBeGreaterThanOrEqual(2);

    await h.skipTo(fx.input.overdueAt + MINUTE);
    await eventually(async () => expect((await readInvoice(h.orm, fx.invoiceId)).status).toBe('overdue'));
  });
});
