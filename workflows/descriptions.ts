/**
 * What an invoice workflow tells operators in Temporal UI: the summary and details it is started
 * with, the current details it keeps up to date, and one summary per timer and activity, each
 * naming what it is for and when, in the tenant's time zone. Pure text from the workflow's input
 * and state (workflow-safe); none of it takes part in replay's command matching.
 */
import { formatInstant } from '../domain/dates';
import type { InvoiceStatus } from '../domain/invoice';
import { formatMoney } from '../domain/money';
import type { ReminderInstant } from '../domain/reminders';

/** Runs started before the input carried the tenant's zone show their instants in UTC. */
export const DEFAULT_TIME_ZONE = 'UTC';

export interface InvoiceFigures {
  number: string;
  currency: string;
  total: number;
  paid: number;
  due: number;
  status: InvoiceStatus;
}

export interface InvoiceIdentity extends InvoiceFigures {
  invoiceId: string;
  tenantId: string;
  tenantName?: string;
  contactId: string;
  contactName: string;
  dueDate: string;
  overdueAt: number;
  timeZone: string;
  plan: readonly { amount: number; date: string }[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const money = (amount: number, currency: string) => formatMoney(amount, currency);
const named = (name: string | undefined, id: string) => (name ? `${name} (\`${id}\`)` : `\`${id}\``);
const list = (lines: string[]) => lines.map((l) => `- ${l}`).join('\n');

/** One line for the workflow list: `Invoice INV-000042 for Ada Lovelace: $1,250.00, due 2026-12-14`. */
export function invoiceSummary(i: Pick<InvoiceIdentity, 'number' | 'contactName' | 'currency' | 'total' | 'dueDate'>): string {
  return `Invoice ${i.number} for ${i.contactName}: ${money(i.total, i.currency)}, due ${i.dueDate}`;
}

/** The invoice as it was when its workflow (run) started (markdown). */
export function invoiceDetails(i: InvoiceIdentity): string {
  const lines = [
    `**Tenant** ${named(i.tenantName, i.tenantId)}`,
    `**Invoice** ${i.number} (\`${i.invoiceId}\`)`,
    `**Contact** ${named(i.contactName, i.contactId)}`,
    `**Total** ${money(i.total, i.currency)} · **Paid** ${money(i.paid, i.currency)} · **Due** ${money(i.due, i.currency)}`,
    `**Status** ${i.status} (at start)`,
    `**Due date** ${i.dueDate} → overdue at ${formatInstant(i.overdueAt, i.timeZone)}`,
  ];
  if (i.plan.length > 0) lines.push(`**Plan** ${i.plan.map((p, n) => `${n + 1}. ${money(p.amount, i.currency)} on ${p.date}`).join(' · ')}`);
  return list(lines);
}

/** The live state, shown as the workflow's current details (markdown). */
export function currentDetails(f: InvoiceFigures & { version: number; next: string | undefined }): string {
  return list([
    `**Status** ${f.status} · state version ${f.version}`,
    `**Paid** ${money(f.paid, f.currency)} of ${money(f.total, f.currency)} · **Due** ${money(f.due, f.currency)}`,
    `**Next** ${f.next ?? (f.status === 'void' ? 'nothing: the invoice is void' : 'nothing scheduled')}`,
  ]);
}

// ---- timers: what a wake-up is for ---------------------------------------------------------

export const overdueReason = (dueDate: string) => `due date ${dueDate} → overdue`;

export const installmentReason = (index: number, count: number, amount: number, currency: string) =>
  `instalment ${index + 1} of ${count} (${money(amount, currency)}) due`;

export const RETENTION_REASON = 'paid → workflow ends (refund and dispute window over)';

/** `reminder 3 days before instalment 2 of 3`, `dunning reminder 1 (1 day after the due date)`. */
export function reminderLabel(r: ReminderInstant, plan: readonly { id: string }[]): string {
  if (r.kind === 'dunning') return `dunning reminder${r.step ? ` ${r.step}` : ''} (${plural(r.offset, 'day')} after the due date)`;
  const index = plan.findIndex((p) => p.id === r.installmentId);
  const which = index >= 0 ? `instalment ${index + 1} of ${plan.length}` : 'an instalment';
  if (r.offset === 0) return `reminder on the day of ${which}`;
  return `reminder ${plural(Math.abs(r.offset), 'day')} ${r.offset < 0 ? 'before' : 'after'} ${which}`;
}

/** `due date 2026-12-14 → overdue at 2026-12-15 00:00 Europe/Berlin`; reasons at the same instant are joined. */
export function timerSummary(reasons: readonly string[], at: number, timeZone: string): string {
  return `${reasons.join(' + ')} at ${formatInstant(at, timeZone)}`;
}

// ---- activities: what a call does ----------------------------------------------------------

export function persistSummary(f: InvoiceFigures & { version: number; payments: number; events: number }): string {
  const parts = [`${f.status}, due ${money(f.due, f.currency)}`];
  if (f.payments > 0) parts.push(plural(f.payments, 'payment'));
  if (f.events > 0) parts.push(plural(f.events, 'event'));
  return `persist state v${f.version}: ${parts.join(', ')}`;
}

export const scheduleSummary = (dueDate: string, installments: number) =>
  `reminder schedule for due date ${dueDate}${installments > 0 ? ` and ${plural(installments, 'instalment')}` : ''}`;

export const enqueueSummary = (label: string, amount: number, currency: string) => `queue ${label} for ${money(amount, currency)}`;

export const reminderCount = (n: number) => plural(n, 'reminder');

/** `skip reminder 3 days before instalment 1 of 2: installment_covered`, `skip 4 reminders: invoice_paid`. */
export const skipSummary = (what: string, reason: string) => `skip ${what}: ${reason}`;

export const resumeSummary = (count: number) => `resume ${reminderCount(count)}: invoice reopened`;
