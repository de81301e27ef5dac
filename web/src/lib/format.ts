/**
 * Dates for people. Invoice dates are calendar days (no zone); instants (payments recorded, history)
 * are shown in the account's time zone, and "today" is the account's today.
 */
import { dateIn } from '../../../domain/dates';

const locale = () => (typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US');

/** "2026-12-15" → "Dec 15, 2026". */
export function formatDay(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  if (!y || !m || !d) return isoDate;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An ISO instant as the account's local date and time: "Dec 15, 2026, 9:00 AM". */
export function formatMoment(isoInstant: string, timeZone: string): string {
  const t = Date.parse(isoInstant);
  if (Number.isNaN(t)) return isoInstant;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(t));
}

/** Today in the account's time zone, YYYY-MM-DD. */
export const todayIn = (timeZone: string, now = Date.now()) => dateIn(now, timeZone);

export const METHOD_LABELS: Record<string, string> = {
  cash: 'Cash',
  check: 'Check',
  wire_transfer: 'Wire transfer',
  bank_transfer: 'Bank transfer',
  card: 'Card',
  other: 'Other',
};
export const methodLabel = (method: string | null | undefined) => (method ? (METHOD_LABELS[method] ?? method) : '—');

export const STATUS_LABELS: Record<string, string> = { open: 'Open', overdue: 'Overdue', paid: 'Paid', void: 'Void' };
