/**
 * The invoice history as the drill-down's timeline shows it: reminders planned (or skipped for one
 * reason) at the same moment — a new invoice's whole schedule — are one entry, not a line per
 * reminder, and that entry lists its reminders in date order (the API's history is in the order
 * the events happened, and a schedule's events all happened at once, in no particular order).
 */
import { compareDates } from '../../../domain/dates';

/** What the grouping reads of a history event (the API's `InvoiceDetail['history']` items). */
export interface HistoryEvent {
  type: string;
  occurredAt: string;
  data: unknown;
}

const fieldOf = (h: HistoryEvent, key: string): unknown => (h.data && typeof h.data === 'object' ? (h.data as Record<string, unknown>)[key] : undefined);
const isReminderPlan = (h: HistoryEvent) => h.type === 'reminder_scheduled' || h.type === 'reminder_skipped';

/** The reminder's day (YYYY-MM-DD) of a reminder event, or '' when it has none. */
export const reminderDate = (h: HistoryEvent): string => {
  const date = fieldOf(h, 'date');
  return typeof date === 'string' ? date : '';
};

/** Reminders planned or skipped at the same moment, for the same reason, as one entry; any other event alone. */
export function timeline<H extends HistoryEvent>(history: readonly H[]): H[][] {
  const entries: H[][] = [];
  for (const h of history) {
    const current = entries.at(-1);
    const last = current?.[0];
    const sameBatch = isReminderPlan(h) && last !== undefined && last.type === h.type && last.occurredAt === h.occurredAt && fieldOf(h, 'reason') === fieldOf(last, 'reason');
    if (sameBatch) current!.push(h);
    else entries.push([h]);
  }
  // A batch's days in date order (a stable sort: events on the same day keep their order); one without a day last.
  return entries.map((entry) => (entry.length > 1 ? [...entry].sort(byReminderDate) : entry));
}

function byReminderDate(a: HistoryEvent, b: HistoryEvent): number {
  const da = reminderDate(a);
  const db = reminderDate(b);
  if (!da || !db) return da ? -1 : db ? 1 : 0;
  return compareDates(da, db);
}
