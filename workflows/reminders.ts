/**
 * Reminder timing for the invoice workflow: pure functions of the materialized schedule and the
 * invoice's state, so the workflow's main loop stays readable and these rules are testable alone.
 * (Workflow-safe: no I/O, no Node built-ins.)
 */
import { uncoveredInstallments } from '../domain/plan';
import { resumeOnReopen, type ReminderInstant } from '../domain/reminders';

/** Reminder state carried across continue-as-new. */
export interface ReminderTrack {
  schedule: ReminderInstant[];
  /** Keys already handled (queued, skipped): never acted on again. */
  done: string[];
  /**
   * Keys skipped because the invoice was paid (patch `reminders-resume-v1`): not done — if a refund or
   * a lost dispute reopens the invoice before their instant, they are scheduled again.
   */
  parked?: string[];
}

export interface ReminderContext {
  plan: readonly { id: string; amount: number }[];
  total: number;
  paid: number;
  voided: boolean;
  /** Epoch ms at which the invoice becomes overdue. */
  overdueAt: number;
  now: number;
}

export type ReminderDecision = { action: 'send'; amount: number } | { action: 'skip'; reason: 'invoice_paid' | 'invoice_void' | 'installment_covered' | 'not_overdue' };

const pending = (track: ReminderTrack | undefined) =>
  track ? track.schedule.filter((r) => !track.done.includes(r.key) && !track.parked?.includes(r.key)) : [];

/** The reminders due at the next future instant (reminders already due are not timers). */
export function nextReminders(track: ReminderTrack | undefined, now: number): ReminderInstant[] {
  const ahead = pending(track).filter((r) => r.at > now);
  const at = Math.min(...ahead.map((r) => r.at));
  return ahead.filter((r) => r.at === at);
}

/** The next future instant at which a reminder is due. */
export function nextReminderAt(track: ReminderTrack | undefined, now: number): number | undefined {
  return nextReminders(track, now)[0]?.at;
}

/** Reminders whose instant has come and which have not been handled yet, oldest first. */
export function dueReminders(track: ReminderTrack | undefined, now: number): ReminderInstant[] {
  return pending(track).filter((r) => r.at <= now);
}

/** Everything not yet handled (nor parked): what gets skipped once the invoice is paid or void. */
export function unhandledReminders(track: ReminderTrack | undefined): ReminderInstant[] {
  return pending(track);
}

/** Whether a due reminder goes out, and for how much; payments cover the plan oldest first. */
export function decideReminder(r: ReminderInstant, c: ReminderContext): ReminderDecision {
  if (c.voided) return { action: 'skip', reason: 'invoice_void' };
  const due = Math.max(0, c.total - c.paid);
  if (due === 0) return { action: 'skip', reason: 'invoice_paid' };
  if (r.kind === 'dunning') {
    return c.now >= c.overdueAt ? { action: 'send', amount: due } : { action: 'skip', reason: 'not_overdue' };
  }
  const index = c.plan.findIndex((p) => p.id === r.installmentId);
  const uncovered = index >= 0 ? uncoveredInstallments(c.plan, c.paid)[index] : 0;
  return uncovered > 0 ? { action: 'send', amount: uncovered } : { action: 'skip', reason: 'installment_covered' };
}

/** The invoice as the reminder loop sees it. */
export interface ReminderInvoiceState {
  state: 'live' | 'paid' | 'void';
  now: number;
  /** Patch `reminders-resume-v1`: a paid invoice parks its reminders (they may resume) instead of ending them. */
  parkWhenPaid: boolean;
}

/** The reminder loop's next step; undefined when there is nothing to do until the next instant. */
export type ReminderStep =
  /** Paid or void: every unhandled reminder is skipped now; `park`ed ones may resume on reopen. */
  | { action: 'skip'; keys: string[]; reason: 'invoice_paid' | 'invoice_void'; park: boolean }
  /** Reopened: parked reminders still ahead go back to scheduled; the `lapsed` ones stay skipped. */
  | { action: 'resume'; keys: string[]; lapsed: string[] }
  /** Live: reminders whose instant has come are each decided now (decideReminder). */
  | { action: 'decide'; due: ReminderInstant[] };

export function nextReminderStep(track: ReminderTrack | undefined, inv: ReminderInvoiceState): ReminderStep | undefined {
  if (!track) return undefined;
  if (inv.state !== 'live') {
    const keys = unhandledReminders(track).map((r) => r.key);
    if (keys.length === 0) return undefined;
    return inv.state === 'void' ? { action: 'skip', keys, reason: 'invoice_void', park: false } : { action: 'skip', keys, reason: 'invoice_paid', park: inv.parkWhenPaid };
  }
  if (track.parked?.length) {
    const { resume, lapsed } = resumeOnReopen(
      track.schedule.filter((r) => track.parked!.includes(r.key)),
      inv.now,
    );
    return { action: 'resume', keys: resume.map((r) => r.key), lapsed: lapsed.map((r) => r.key) };
  }
  const due = dueReminders(track, inv.now);
  return due.length ? { action: 'decide', due } : undefined;
}

/** Records a completed skip or resume step in the track (decided reminders are recorded one by one). */
export function settleReminderStep(track: ReminderTrack, step: Exclude<ReminderStep, { action: 'decide' }>): void {
  if (step.action === 'resume') {
    track.done.push(...step.lapsed);
    track.parked = [];
  } else if (step.park) {
    track.parked = [...(track.parked ?? []), ...step.keys];
  } else {
    track.done.push(...step.keys);
  }
}
