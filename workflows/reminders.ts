/**
 * Reminder timing for the invoice workflow: pure functions of the materialized schedule and the
 * invoice's state, so the workflow's main loop stays readable and these rules are testable alone.
 * (Workflow-safe: no I/O, no Node built-ins.)
 */
import { uncoveredInstallments } from '../domain/plan';
import type { ReminderInstant } from '../domain/reminders';

/** Reminder state carried across continue-as-new. */
export interface ReminderTrack {
  schedule: ReminderInstant[];
  /** Keys already handled (queued, skipped): never acted on again. */
  done: string[];
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

const pending = (track: ReminderTrack | undefined) => (track ? track.schedule.filter((r) => !track.done.includes(r.key)) : []);

/** The next future instant at which a reminder is due (reminders already due are not timers). */
export function nextReminderAt(track: ReminderTrack | undefined, now: number): number | undefined {
  const times = pending(track)
    .map((r) => r.at)
    .filter((at) => at > now);
  return times.length ? Math.min(...times) : undefined;
}

/** Reminders whose instant has come and which have not been handled yet, oldest first. */
export function dueReminders(track: ReminderTrack | undefined, now: number): ReminderInstant[] {
  return pending(track).filter((r) => r.at <= now);
}

/** Everything not yet handled: what gets skipped once the invoice is paid or void. */
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
