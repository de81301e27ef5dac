/**
 * One durable workflow per invoice (id `invoice-<invoice id>`). It owns the invoice's live balance
 * and status: payments arrive as Updates (validated, applied exactly once by payment id), Stripe
 * payments and reversals as signals; durable timers wake it on plan dates and when the due date has
 * passed. Its activities are the single writer of status/paid/due in Postgres.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { dateIn, MS_PER_DAY } from '../domain/dates';
import { DomainError } from '../domain/errors';
import {
  applyReversal,
  assertCreditNoteAllowed,
  assertPaymentAcceptable,
  assertVoidable,
  assertWriteOffAllowed,
  currencyMismatchError,
  deriveStatus,
  dueAmount,
  invoiceVoidError,
  settledAmount,
  voidPaymentError,
  writeRefusedError,
  type InvoiceBalance,
  type InvoiceStatus,
} from '../domain/invoice';
import { uncoveredInstallments } from '../domain/plan';
import {
  currentDetails,
  DEFAULT_TIME_ZONE,
  enqueueSummary,
  installmentReason,
  overdueReason,
  persistSummary,
  reminderCount,
  reminderLabel,
  resumeSummary,
  RETENTION_REASON,
  scheduleSummary,
  skipSummary,
  timerSummary,
  type InvoiceFigures,
} from './descriptions';
import { toFailure } from './failures';
import { decideReminder, nextReminders, nextReminderStep, settleReminderStep } from './reminders';
import {
  adjustInvoiceUpdate,
  applyPaymentUpdate,
  eventKey,
  getInvoiceStateQuery,
  paymentReceivedSignal,
  paymentReversedSignal,
  reversalFailedSignal,
  SearchAttr,
  voidInvoiceUpdate,
  voidPaymentUpdate,
  type InvoiceCarriedState,
  type InvoiceEventWrite,
  type InvoiceSnapshot,
  type InvoiceWorkflowInput,
  type PaymentInput,
  type PaymentVoidWrite,
  type PaymentWrite,
  type PatchOfLevel1,
  type PersistInvoiceArgs,
} from './definitions';

// Postgres may be down for a while: a payment the workflow accepted must still reach it, so
// persistence retries forever with capped backoff rather than ever giving up on a write.
const { persistInvoice } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Since persist-local-v1 the same write runs as a local activity: the Update (or signal) that made
// the change is accepted, written to Postgres and completed in one workflow task, instead of a
// second task for the activity's result. Same retries: forever, capped at a minute; a retry whose
// backoff exceeds localRetryThreshold waits on a durable timer (a long outage does not hold the
// workflow task open), and each attempt is bounded by startToCloseTimeout, the whole by nothing.
//
// Durability: the local activity writes before the workflow task that accepted the change is in
// history. If that task fails after the write (worker killed, task timed out), the server hands the
// Update to the next attempt (which writes the same batch again: idempotent), or loses it when its
// in-memory registry goes (server restart, shard move) and the caller retries with its key. A
// payment, void or adjustment written for an Update the workflow never records is undone by the
// next write of the invoice (`basis`/`reconcile`, activities/invoice-writes.ts). See docs/scale.md ("Local activity writes").
const { persistInvoice: persistInvoiceLocally } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/** Since this patch persistence is a local activity (histories before it schedule the regular one). */
const PERSIST_LOCAL_PATCH: PatchOfLevel1 = 'persist-local-v1';

// Reminders go through Redis (BullMQ): an outage means retry until it is back — late, never lost.
const { materializeReminders, enqueueReminder, skipReminders, resumeReminders } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// The reminder schedule is read and stored once, at the start (Postgres only, idempotent: rows found
// are returned): as a local activity it runs inside the first workflow task instead of adding an
// activity task and a second workflow task to every invoice created.
const { materializeReminders: materializeRemindersLocally } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/** Since this patch the schedule is materialized by the local activity (histories before it schedule the regular one). */
const REMINDERS_LOCAL_PATCH: PatchOfLevel1 = 'reminders-local-v1';

/** A paid invoice stays reachable this long for refunds and disputes, then the workflow ends. */
const PAID_RETENTION_MS = 180 * MS_PER_DAY;
const DEFAULT_MAX_HISTORY_EVENTS = 4_000;
/** Since this patch a batch Postgres refused marks the invoice as needing attention (PcAttention, an upsert). */
const WRITE_REFUSALS_PATCH: PatchOfLevel1 = 'write-refusals-v1';
/** Refused writes remembered for the Updates waiting on them (carried across continue-as-new). */
const MAX_REMEMBERED_REFUSALS = 100;
/** Since this patch PcAmountDue follows every change of the amount due (an upsert is a command). */
const AMOUNT_DUE_PATCH: PatchOfLevel1 = 'amount-due-search-attribute-v1';

/** The next wake-up instant and what it is for (the timer's summary in Temporal UI). */
interface Wakeup {
  at: number;
  reasons: string[];
}

export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceSnapshot> {
  // ---- versioning ----------------------------------------------------------------------------
  // A run started at PATCH_LEVEL 1 has every patch of that level in effect from its first task, so it
  // records none of them (each `patched()` of a new run adds a marker and a TemporalChangeVersion
  // upsert, a visibility write). Runs started before it ask `patched()`, as their histories expect.
  const inEffect = (patchId: PatchOfLevel1) => (input.patchLevel ?? 0) >= 1 || wf.patched(patchId);

  // ---- state -------------------------------------------------------------------------------
  const s: InvoiceCarriedState = input.carried ?? {
    paid: 0,
    pastDue: false,
    voided: false,
    version: 0,
    applied: {},
    reversed: {},
    firedInstallments: [],
    paidAt: null,
    credited: 0,
    writtenOff: 0,
    voidedPayments: {},
    failedReversals: [],
    adjustments: [],
    // Stored at creation and handed over in the input (which history holds: replay takes the same branch).
    ...(input.reminders ? { reminders: { schedule: input.reminders.schedule, done: [...input.reminders.done] } } : {}),
  };
  /** Accepted changes not yet in Postgres; flushed in batches (group commit) by `flushLoop`. */
  let pendingPayments: PaymentWrite[] = [];
  let pendingEvents: InvoiceEventWrite[] = [];
  let pendingVoids: PaymentVoidWrite[] = [];
  let persistedVersion = s.version;
  /** A persistInvoice call is in flight (its batch is no longer in pendingPayments/pendingEvents). */
  let flushing = false;
  let wake = false;
  const searchAttributesEnabled = wf.workflowInfo().typedSearchAttributes.get(SearchAttr.status) !== undefined;
  /** PcAmountDue as the server has it (set at start, carried over continue-as-new; absent in older runs). */
  let shownDue = wf.workflowInfo().typedSearchAttributes.get(SearchAttr.amountDue);
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;

  const balance = (): InvoiceBalance => ({ total: input.total, paid: s.paid, pastDue: s.pastDue, voided: s.voided, credited: s.credited ?? 0, writtenOff: s.writtenOff ?? 0 });
  const status = (): InvoiceStatus => deriveStatus(balance());
  const snapshot = (): InvoiceSnapshot => ({
    invoiceId: input.invoiceId,
    total: input.total,
    paid: s.paid,
    due: dueAmount(balance()),
    status: status(),
    version: s.version,
    credited: s.credited ?? 0,
    writtenOff: s.writtenOff ?? 0,
  });
  const figures = (snap: InvoiceSnapshot = snapshot()): InvoiceFigures => ({ number: input.number, currency: input.currency, total: snap.total, paid: snap.paid, due: snap.due, status: snap.status });
  const event = (type: InvoiceEventWrite['type'], dedupeKey: string, data: Record<string, unknown> = {}) =>
    pendingEvents.push({ type, dedupeKey, data, occurredAt: Date.now() });

  /** Applies a state change, records the status transition it causes, and returns the new version. */
  function transition(change: () => void): number {
    const before = status();
    change();
    s.version += 1;
    const after = status();
    if (after !== before) {
      if (after === 'paid') {
        s.paidAt = Date.now();
        event('paid', `paid:${s.version}`);
      } else if (after === 'overdue' && before === 'open') {
        event('became_overdue', `overdue:${s.version}`, { due: dueAmount(balance()) });
      } else if (after === 'void') {
        event('voided', eventKey.voided);
      } else if (before === 'paid') {
        s.paidAt = null;
        event('reopened', `reopened:${s.version}`, { status: after, due: dueAmount(balance()) });
      }
    }
    if (searchAttributesEnabled) {
      const attributes: SearchAttributeUpdatePair[] = after !== before ? [{ key: SearchAttr.status, value: after }] : [];
      const due = dueAmount(balance());
      if (due !== shownDue && inEffect(AMOUNT_DUE_PATCH)) {
        attributes.push({ key: SearchAttr.amountDue, value: due });
        shownDue = due;
      }
      if (attributes.length > 0) wf.upsertSearchAttributes(attributes);
    }
    wake = true;
    return s.version;
  }

  const persisted = (version: number) => wf.condition(() => persistedVersion >= version);
  /** The Update waiting for `key` fails clearly when Postgres refused it (the state change itself stands). */
  const assertStored = (key: string, change: 'payment' | 'void') => {
    if (s.attention?.refused.includes(key)) throw toFailure(writeRefusedError(change));
  };

  /** Postgres refused part of a batch for good: keep the state and serve on, flagged for an operator. */
  function needsAttention(refused: string[]): void {
    if (!inEffect(WRITE_REFUSALS_PATCH)) return;
    s.attention = { since: s.attention?.since ?? Date.now(), refused: [...(s.attention?.refused ?? []), ...refused].slice(-MAX_REMEMBERED_REFUSALS) };
    if (searchAttributesEnabled) wf.upsertSearchAttributes([{ key: SearchAttr.attention, value: true }]);
  }

  function acceptPayment(p: PaymentInput, toInvoice: number): number {
    return transition(() => {
      s.paid += toInvoice;
      const acceptedAt = Date.now();
      const base = { contactId: p.contactId, currency: p.currency, date: p.date, method: p.method, reference: p.reference, source: p.source, acceptedAt, ...(p.parentId ? { parentId: p.parentId } : {}) };
      if (toInvoice > 0) {
        pendingPayments.push({ ...base, id: p.paymentId, invoiceId: input.invoiceId, amount: toInvoice });
        event('payment_applied', eventKey.payment(p.paymentId), { paymentId: p.paymentId, amount: toInvoice, method: p.method, source: p.source });
      }
      const excess = p.amount - toInvoice;
      if (excess > 0) {
        // Money beyond the invoice is never dropped: it stays on the contact as an unapplied payment.
        const excessId = toInvoice > 0 ? wf.uuid4() : p.paymentId;
        pendingPayments.push({ ...base, id: excessId, invoiceId: null, amount: excess });
        event('payment_applied', `excess:${p.paymentId}`, { paymentId: excessId, amount: excess, unapplied: true });
      }
      s.applied[p.paymentId] = s.version + 1;
    });
  }

  // ---- handlers ----------------------------------------------------------------------------
  /** A validator's DomainError becomes the Update's rejection (the caller gets it back as such). */
  const refuse = (check: () => void) => {
    try {
      check();
    } catch (err) {
      throw err instanceof DomainError ? toFailure(err) : err;
    }
  };

  wf.setHandler(getInvoiceStateQuery, snapshot);

  wf.setHandler(
    applyPaymentUpdate,
    async (p) => {
      const seen = s.applied[p.paymentId];
      if (seen !== undefined) {
        await persisted(seen);
        assertStored(`payment:${p.paymentId}`, 'payment');
        return { ...snapshot(), paymentId: p.paymentId, duplicate: true, acceptedAt: null };
      }
      const version = acceptPayment(p, p.amount);
      const result = { ...snapshot(), paymentId: p.paymentId, duplicate: false, acceptedAt: Date.now() };
      // Returns only once Postgres has it, so the caller's next read sees the new balance.
      await persisted(version);
      assertStored(`payment:${p.paymentId}`, 'payment');
      return result;
    },
    {
      validator: (p) => {
        if (s.applied[p.paymentId] !== undefined) return;
        if (p.currency !== input.currency) throw toFailure(currencyMismatchError(p.currency, input.currency));
        refuse(() => assertPaymentAcceptable(balance(), p.amount));
      },
    },
  );

  wf.setHandler(paymentReceivedSignal, (p) => {
    if (s.applied[p.paymentId] !== undefined) return;
    const payable = status() === 'open' || status() === 'overdue';
    const toInvoice = payable && p.currency === input.currency ? Math.min(p.amount, dueAmount(balance())) : 0;
    acceptPayment(p, toInvoice);
  });

  wf.setHandler(paymentReversedSignal, (r) => {
    if (s.reversed[r.reversalId] !== undefined || s.failedReversals?.includes(r.reversalId) || s.voided) return;
    transition(() => {
      const after = applyReversal(balance(), r.amount);
      const amount = s.paid - after.paid;
      s.reversed[r.reversalId] = amount;
      s.paid = after.paid;
      event('payment_reversed', `reversal:${r.reversalId}`, { ...r, amountReversed: amount });
    });
  });

  wf.setHandler(reversalFailedSignal, ({ reversalId, reason }) => {
    const reversed = s.reversed[reversalId];
    const failed = (s.failedReversals ??= []);
    if (failed.includes(reversalId)) return;
    // Reported failed before it was reported at all (Stripe's order is any): it will never reverse anything.
    if (reversed === undefined) {
      failed.push(reversalId);
      event('reversal_failed', `reversal-failed:${reversalId}`, { reversalId, amount: 0, restored: 0, reason, beforeReversal: true });
      return;
    }
    transition(() => {
      failed.push(reversalId);
      // The money never left: back on the invoice as far as it is still due, the rest on the contact.
      const toInvoice = s.voided ? 0 : Math.min(reversed, dueAmount(balance()));
      s.paid += toInvoice;
      const excess = reversed - toInvoice;
      event('reversal_failed', `reversal-failed:${reversalId}`, { reversalId, amount: reversed, restored: toInvoice, reason });
      if (excess > 0) {
        const id = wf.uuid4();
        pendingPayments.push({
          id,
          invoiceId: null,
          amount: excess,
          contactId: input.contactId,
          currency: input.currency,
          date: dateIn(Date.now(), timeZone),
          method: 'card',
          reference: reversalId,
          source: 'stripe',
          acceptedAt: Date.now(),
        });
        event('payment_applied', `reversal-failed-excess:${reversalId}`, { paymentId: id, amount: excess, unapplied: true });
      }
    });
  });

  wf.setHandler(
    voidPaymentUpdate,
    async (v) => {
      const voided = (s.voidedPayments ??= {});
      if (voided[v.paymentId] !== undefined) {
        await persisted(s.version);
        return { ...snapshot(), duplicate: true };
      }
      const version = transition(() => {
        const amount = Math.min(v.amount, s.paid);
        voided[v.paymentId] = amount;
        s.paid -= amount;
        pendingVoids.push({ id: v.paymentId, reason: v.reason, voidedBy: v.voidedBy, voidedAt: Date.now() });
        event('payment_voided', eventKey.paymentVoided(v.paymentId), { paymentId: v.paymentId, amount, reason: v.reason, voidedBy: v.voidedBy });
      });
      await persisted(version);
      return { ...snapshot(), duplicate: false };
    },
    {
      validator: (v) => {
        if (s.voidedPayments?.[v.paymentId] !== undefined) return;
        refuse(() => {
          if (s.applied[v.paymentId] === undefined) throw voidPaymentError.notOnInvoice();
          if (s.voided) throw invoiceVoidError();
        });
      },
    },
  );

  wf.setHandler(
    adjustInvoiceUpdate,
    async (a) => {
      const done = (s.adjustments ??= []);
      if (done.includes(a.adjustmentId)) {
        await persisted(s.version);
        return { ...snapshot(), amount: 0, duplicate: true };
      }
      let amount = 0;
      const version = transition(() => {
        done.push(a.adjustmentId);
        const data = { adjustmentId: a.adjustmentId, reason: a.reason, by: a.by };
        if (a.kind === 'write_off') {
          amount = dueAmount(balance());
          s.writtenOff = (s.writtenOff ?? 0) + amount;
          event('written_off', eventKey.writtenOff(a.adjustmentId), { ...data, amount });
        } else {
          amount = a.amount ?? 0;
          s.credited = (s.credited ?? 0) + amount;
          event('credit_note_issued', eventKey.creditNote(a.adjustmentId), { ...data, amount, total: input.total - s.credited });
        }
      });
      await persisted(version);
      return { ...snapshot(), amount, duplicate: false };
    },
    {
      validator: (a) => {
        if (s.adjustments?.includes(a.adjustmentId)) return;
        refuse(() => (a.kind === 'write_off' ? assertWriteOffAllowed(balance()) : assertCreditNoteAllowed(balance(), a.amount ?? 0)));
      },
    },
  );

  wf.setHandler(
    voidInvoiceUpdate,
    async ({ reason }) => {
      if (!s.voided) {
        const version = transition(() => {
          s.voided = true;
        });
        pendingEvents.at(-1)!.data = { reason: reason ?? null };
        await persisted(version);
        assertStored('event:voided', 'void');
      }
      return snapshot();
    },
    {
      validator: (_args) => refuse(() => assertVoidable(balance())),
    },
  );

  // ---- persistence: one activity per batch of accepted changes ------------------------------
  /**
   * The write as a local activity, from the version the workflow knows is stored. A row found ahead
   * of it holds a write this workflow never recorded (see the durability note above): the batch is
   * written again with every payment, void and adjustment the workflow made, and Postgres undoes the rest.
   */
  async function persistLocally(args: PersistInvoiceArgs, summary: string) {
    const basis = persistedVersion;
    // This task's start (workflow time): a stale attempt of it, still running somewhere, writes nothing.
    const fence = Date.now();
    const result = await persistInvoiceLocally.executeWithOptions({ summary }, [{ ...args, basis, fence }]);
    // Superseded: the server gave this task to a newer attempt, which owns the invoice; this one's completion will be refused.
    if (result.storedAhead === undefined || result.superseded !== undefined) return result;
    const reconcile = {
      storedVersion: result.storedAhead,
      paymentIds: Object.keys(s.applied),
      voidedPaymentIds: Object.keys(s.voidedPayments ?? {}),
      adjustmentIds: s.adjustments ?? [],
      invoiceVoided: s.voided,
    };
    return persistInvoiceLocally.executeWithOptions({ summary: `${summary} (reconciling stored version ${result.storedAhead})` }, [{ ...args, basis, fence, reconcile }]);
  }

  async function flushLoop(): Promise<never> {
    for (;;) {
      await wf.condition(() => persistedVersion < s.version || pendingEvents.length > 0);
      const payments = pendingPayments;
      const events = pendingEvents;
      const paymentVoids = pendingVoids;
      pendingPayments = [];
      pendingEvents = [];
      pendingVoids = [];
      const snap = snapshot();
      flushing = true;
      try {
        const summary = persistSummary({ ...figures(snap), version: snap.version, payments: payments.length, events: events.length });
        const args: PersistInvoiceArgs = { tenantId: input.tenantId, invoiceId: input.invoiceId, snapshot: snap, payments, events, ...(paymentVoids.length ? { paymentVoids } : {}) };
        // Per flush, where the activity is scheduled: a history that scheduled the regular one replays it.
        const result = inEffect(PERSIST_LOCAL_PATCH) ? await persistLocally(args, summary) : await persistInvoice.executeWithOptions({ summary }, [args]);
        // Absent in results recorded before refusals were reported.
        if (result?.refused?.length) needsAttention(result.refused.map((r) => `${r.kind}:${r.id}`));
      } finally {
        flushing = false;
      }
      persistedVersion = Math.max(persistedVersion, snap.version);
    }
  }
  void flushLoop();

  // ---- reminders: the schedule is fetched once, then each instant enqueues or skips (workflows/reminders.ts).
  // Since reminders-resume-v1 a paid invoice parks its reminders, and a refund or dispute that reopens it resumes them.
  let remindersBusy = false;
  const parkWhenPaid = inEffect('reminders-resume-v1');
  const reminderStep = () =>
    nextReminderStep(s.reminders, { state: s.voided ? 'void' : status() === 'paid' ? 'paid' : 'live', now: Date.now(), parkWhenPaid });
  const reminderWork = () => reminderStep() !== undefined;
  async function handleReminders(): Promise<void> {
    const track = s.reminders!;
    const step = reminderStep();
    if (!step) return;
    const now = Date.now();
    const base = { tenantId: input.tenantId, invoiceId: input.invoiceId };
    if (step.action === 'decide') {
      for (const r of step.due) {
        const decision = decideReminder(r, { plan: input.plan, total: input.total, paid: settledAmount(balance()), voided: s.voided, overdueAt: input.overdueAt, now });
        const label = reminderLabel(r, input.plan);
        if (decision.action === 'send') {
          await enqueueReminder.executeWithOptions({ summary: enqueueSummary(label, decision.amount, input.currency) }, [{ ...base, key: r.key, amount: decision.amount }]);
        } else {
          await skipReminders.executeWithOptions({ summary: skipSummary(label, decision.reason) }, [{ ...base, keys: [r.key], reason: decision.reason, now }]);
        }
        track.done.push(r.key);
      }
      return;
    }
    if (step.action === 'skip') {
      await skipReminders.executeWithOptions({ summary: skipSummary(reminderCount(step.keys.length), step.reason) }, [
        { ...base, keys: step.keys, reason: step.reason, now, ...(step.park ? { round: s.version } : {}) },
      ]);
    } else if (step.keys.length) {
      await resumeReminders.executeWithOptions({ summary: resumeSummary(step.keys.length) }, [{ ...base, keys: step.keys, round: s.version, now }]);
    }
    settleReminderStep(track, step);
    // Resumed reminders need timers again: the main loop plans its next wake-up anew.
    if (step.action === 'resume') wake = true;
  }
  async function reminderLoop(): Promise<never> {
    // A run started without its schedule fetches it; histories from before reminders existed replay without this activity.
    if (s.reminders === undefined && inEffect('reminders-v1')) {
      remindersBusy = true;
      const plan = input.plan.map((p) => ({ id: p.id, date: p.date }));
      const materialize = inEffect(REMINDERS_LOCAL_PATCH) ? materializeRemindersLocally : materializeReminders;
      s.reminders = await materialize.executeWithOptions({ summary: scheduleSummary(input.dueDate, plan.length) }, [
        { tenantId: input.tenantId, invoiceId: input.invoiceId, plan, dueDate: input.dueDate, now: Date.now() },
      ]);
      remindersBusy = false;
      wake = true;
    }
    for (;;) {
      await wf.condition(reminderWork);
      remindersBusy = true;
      try {
        await handleReminders();
      } finally {
        remindersBusy = false;
      }
    }
  }
  void reminderLoop();

  const idle = () =>
    !flushing && !remindersBusy && !reminderWork() && pendingPayments.length === 0 && pendingEvents.length === 0 && persistedVersion >= s.version && wf.allHandlersFinished();

  // ---- timers ------------------------------------------------------------------------------
  function onTimers(now: number): void {
    if (!s.pastDue && now >= input.overdueAt) {
      if (status() === 'open') transition(() => (s.pastDue = true));
      else s.pastDue = true;
    }
    const uncovered = uncoveredInstallments(input.plan, settledAmount(balance()));
    input.plan.forEach((installment, i) => {
      if (installment.at > now || s.firedInstallments.includes(installment.id)) return;
      s.firedInstallments.push(installment.id);
      if (uncovered[i] > 0 && !s.voided) {
        event('installment_due', `installment:${installment.id}`, { installmentId: installment.id, date: installment.date, amount: installment.amount, uncovered: uncovered[i] });
      }
    });
  }

  function nextWakeup(): Wakeup | undefined {
    if (s.voided) return undefined;
    if (status() === 'paid') return { at: (s.paidAt ?? Date.now()) + PAID_RETENTION_MS, reasons: [RETENTION_REASON] };
    const candidates: Wakeup[] = [];
    input.plan.forEach((p, i) => {
      if (!s.firedInstallments.includes(p.id)) candidates.push({ at: p.at, reasons: [installmentReason(i, input.plan.length, p.amount, input.currency)] });
    });
    if (!s.pastDue) candidates.push({ at: input.overdueAt, reasons: [overdueReason(input.dueDate)] });
    const reminders = nextReminders(s.reminders, Date.now());
    if (reminders.length > 0) candidates.push({ at: reminders[0].at, reasons: reminders.map((r) => reminderLabel(r, input.plan)) });
    if (candidates.length === 0) return undefined;
    const at = Math.min(...candidates.map((c) => c.at));
    return { at, reasons: candidates.filter((c) => c.at === at).flatMap((c) => c.reasons) };
  }
  const summaryOf = (next: Wakeup) => timerSummary(next.reasons, next.at, timeZone);

  /**
   * Since patch `steady-timer-v1`: one durable timer per wake-up instant, kept while payments come
   * and go. Before it, every state change cancelled and restarted the timer, two extra history
   * events per payment.
   */
  const steadyTimer = inEffect('steady-timer-v1');
  let timer: { at: number; scope: wf.CancellationScope; fired: boolean } | undefined;
  async function wakeAtOrOnChange(next: Wakeup | undefined): Promise<void> {
    const at = next?.at;
    if (timer && (timer.fired || timer.at !== at)) {
      if (!timer.fired) timer.scope.cancel();
      timer = undefined;
    }
    if (!timer && next !== undefined) {
      const armed = { at: next.at, scope: new wf.CancellationScope(), fired: false };
      armed.scope.run(() => wf.sleep(Math.max(1, next.at - Date.now()), { summary: summaryOf(next) })).then(
        () => (armed.fired = true),
        (err) => {
          if (!wf.isCancellation(err)) throw err;
        },
      );
      timer = armed;
    }
    const current = timer;
    await wf.condition(() => wake || current?.fired === true);
  }

  // ---- main loop ---------------------------------------------------------------------------
  const maxHistory = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  for (;;) {
    onTimers(Date.now());
    if (s.voided) break;
    if (status() === 'paid' && s.paidAt !== null && Date.now() >= s.paidAt + PAID_RETENTION_MS) break;
    const info = wf.workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength >= maxHistory) {
      await wf.condition(idle);
      await wf.continueAsNew<typeof invoiceWorkflow>({ ...input, reminders: undefined, carried: s });
    }
    wake = false;
    const next = nextWakeup();
    wf.setCurrentDetails(currentDetails({ ...figures(), version: s.version, next: next && summaryOf(next) }));
    if (steadyTimer) await wakeAtOrOnChange(next);
    else if (next === undefined) await wf.condition(() => wake);
    else await wf.condition(() => wake, Math.max(1, next.at - Date.now()), { summary: summaryOf(next) });
  }
  wf.setCurrentDetails(currentDetails({ ...figures(), version: s.version, next: undefined }));
  await wf.condition(idle);
  return snapshot();
}
